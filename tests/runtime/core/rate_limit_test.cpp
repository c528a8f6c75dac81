#include "core/rate_limit.h"

#include <gtest/gtest.h>

namespace ws {
namespace {

using namespace std::chrono_literals;

TEST(RateLimit, AllowsTheLimitPerWindowPerKey) {
  RateLimit limit(3, 1h);
  const auto t0 = RateLimit::Clock::now();
  for (int i = 0; i < 3; ++i) {
    const auto d = limit.take("10.0.0.1", t0 + std::chrono::seconds(i));
    EXPECT_TRUE(d.allowed);
    EXPECT_EQ(d.remaining, 2 - i);
    EXPECT_EQ(d.limit, 3);
  }
  const auto refused = limit.take("10.0.0.1", t0 + 10min);
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.remaining, 0);
  EXPECT_EQ(refused.reset_seconds, 50 * 60) << "the window runs from the first take";
  EXPECT_TRUE(limit.take("10.0.0.2", t0 + 10min).allowed) << "another client has its own window";
  EXPECT_TRUE(limit.take("10.0.0.1", t0 + 1h).allowed) << "a new window";
}

TEST(RateLimit, KeysAreBoundedWithoutResettingBusyOnes) {
  RateLimit limit(1, 1h, 2);
  const auto t0 = RateLimit::Clock::now();
  EXPECT_TRUE(limit.take("a", t0).allowed);
  EXPECT_TRUE(limit.take("b", t0 + 1s).allowed);
  EXPECT_TRUE(limit.take("c", t0 + 2s).allowed) << "room made by dropping the oldest window (a)";
  EXPECT_FALSE(limit.take("c", t0 + 3s).allowed);
  EXPECT_FALSE(limit.take("b", t0 + 4s).allowed) << "b's window survived";
}

}  // namespace
}  // namespace ws
