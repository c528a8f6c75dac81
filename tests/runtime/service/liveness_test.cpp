#include "service/liveness.h"

#include <gtest/gtest.h>

namespace ws {
namespace {

TEST(Liveness, ExpiresAfterTheTtlOnce) {
  LivenessTracker t(std::chrono::seconds(10));
  const auto t0 = LivenessTracker::SteadyClock::now();
  t.touch("a", t0);
  t.touch("b", t0 + std::chrono::seconds(5));
  EXPECT_TRUE(t.takeExpired(t0 + std::chrono::seconds(9)).empty());
  EXPECT_EQ(t.takeExpired(t0 + std::chrono::seconds(10)), std::vector<std::string>{"a"});
  EXPECT_TRUE(t.takeExpired(t0 + std::chrono::seconds(11)).empty()) << "reported once";
  t.forget("b");
  EXPECT_TRUE(t.takeExpired(t0 + std::chrono::seconds(60)).empty());
}

TEST(Liveness, TouchExtends) {
  LivenessTracker t(std::chrono::seconds(10));
  const auto t0 = LivenessTracker::SteadyClock::now();
  t.touch("a", t0);
  t.touch("a", t0 + std::chrono::seconds(8));
  EXPECT_TRUE(t.takeExpired(t0 + std::chrono::seconds(12)).empty());
}

}  // namespace
}  // namespace ws
