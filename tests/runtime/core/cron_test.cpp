#include "core/cron.h"

#include <gtest/gtest.h>

#include "core/util.h"

namespace ws {
namespace {

using namespace std::chrono;

system_clock::time_point at(int y, int mo, int d, int h, int mi) {
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  return system_clock::from_time_t(timegm(&tm));
}

TEST(Cron, NextMatchingMinute) {
  const auto every = *CronSchedule::parse("* * * * *");
  EXPECT_EQ(every.next(at(2026, 11, 28, 10, 0) + seconds(30)), at(2026, 11, 28, 10, 1));
  const auto quarter = *CronSchedule::parse("*/15 9-17 * * 1-5");  // Friday 2026-11-27
  EXPECT_EQ(quarter.next(at(2026, 11, 27, 17, 45)), at(2026, 11, 30, 9, 0)) << "over the weekend";
  EXPECT_EQ(quarter.next(at(2026, 11, 30, 9, 0)), at(2026, 11, 30, 9, 15));
  const auto monthly = *CronSchedule::parse("30 6 1 * *");
  EXPECT_EQ(monthly.next(at(2026, 11, 28, 0, 0)), at(2026, 12, 1, 6, 30));
  const auto sunday = *CronSchedule::parse("0 0 * * 7");
  EXPECT_EQ(sunday.next(at(2026, 11, 28, 0, 0)), at(2026, 11, 29, 0, 0));
  const auto leap = *CronSchedule::parse("0 12 29 2 *");
  EXPECT_EQ(leap.next(at(2026, 3, 1, 0, 0)), at(2028, 2, 29, 12, 0));
  const auto either = *CronSchedule::parse("0 8 1 * 1");  // the 1st or any Monday
  EXPECT_EQ(either.next(at(2026, 11, 28, 0, 0)), at(2026, 11, 30, 8, 0));
  const auto lists = *CronSchedule::parse("5,10-12 * * * *");
  EXPECT_EQ(lists.next(at(2026, 1, 1, 0, 10)), at(2026, 1, 1, 0, 11));
}

TEST(Cron, HugeStepsStayInRange) {
  // The step used to be added past INT_MAX (signed overflow, then a bit set out of range).
  const auto last = CronSchedule::parse("59/2147483647 * * * *");
  ASSERT_TRUE(last);
  EXPECT_EQ(last->next(at(2026, 11, 28, 10, 0)), at(2026, 11, 28, 10, 59));
  const auto first = CronSchedule::parse("0-59/2147483647 23 31 12 7");
  ASSERT_TRUE(first);
  EXPECT_NE(first->next(at(2026, 1, 1, 0, 0)), system_clock::time_point::max());
}

TEST(Cron, RefusesMalformedExpressions) {
  for (const char* bad : {"", "* * * *", "* * * * * *", "60 * * * *", "* 24 * * *", "* * 0 * *", "* * * 13 *",
                          "* * * * 8", "*/0 * * * *", "5-1 * * * *", "a * * * *", "1,,2 * * * *"})
    EXPECT_FALSE(CronSchedule::parse(bad)) << bad;
}

}  // namespace
}  // namespace ws
