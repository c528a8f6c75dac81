#include <gtest/gtest.h>

#include "service/schedules.h"

namespace ws {
namespace {

using namespace std::chrono_literals;

ScheduleRecord every(const std::string& cron, std::optional<Clock::time_point> last_run) {
  ScheduleRecord s;
  s.cron_expr = cron;
  if (last_run) s.last_run_at = formatTime(*last_run);
  return s;
}

TEST(ScheduleHealth, NeverRunUntilItsFirstRun) {
  const auto h = scheduleHealth(every("*/5 * * * *", std::nullopt), Clock::now());
  EXPECT_EQ(h.status, "never_run");
  EXPECT_EQ(h.stale_threshold_seconds, 600) << "twice the five-minute interval";
}

TEST(ScheduleHealth, StaleAfterTwiceItsInterval) {
  const auto now = Clock::now();
  EXPECT_EQ(scheduleHealth(every("0 * * * *", now - 90min), now).status, "ok");
  const auto h = scheduleHealth(every("0 * * * *", now - 121min), now);
  EXPECT_EQ(h.status, "stale");
  EXPECT_EQ(h.stale_threshold_seconds, 7200);
}

TEST(ScheduleHealth, ABrokenExpressionHasNoThreshold) {
  const auto now = Clock::now();
  const auto h = scheduleHealth(every("not cron", now - 1000h), now);
  EXPECT_EQ(h.stale_threshold_seconds, 0);
  EXPECT_EQ(h.status, "ok") << "without a threshold nothing is called stale";
}

}  // namespace
}  // namespace ws
