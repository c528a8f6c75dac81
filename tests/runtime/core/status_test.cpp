#include "ws/status.h"

#include <gtest/gtest.h>

namespace ws {
namespace {

TEST(Status, NamesRoundTrip) {
  for (int i = 0; i <= static_cast<int>(Status::awaiting_agent); ++i) {
    const auto s = static_cast<Status>(i);
    EXPECT_EQ(parseStatus(toString(s)), s);
  }
  EXPECT_FALSE(parseStatus("sleeping"));
}

TEST(Status, RemovedIsTerminal) {
  for (int i = 0; i <= static_cast<int>(Status::awaiting_agent); ++i)
    EXPECT_FALSE(canTransition(Status::removed, static_cast<Status>(i)));
}

TEST(Status, HeartbeatDrivenTransitions) {
  EXPECT_TRUE(canTransition(Status::online, Status::degraded));
  EXPECT_FALSE(canTransition(Status::provisioning, Status::degraded));
  EXPECT_TRUE(canTransition(Status::degraded, Status::online));
  EXPECT_TRUE(canTransition(Status::online, Status::offline));
  EXPECT_FALSE(canTransition(Status::paused, Status::offline));
  EXPECT_FALSE(canTransition(Status::provisioning, Status::offline));
  EXPECT_TRUE(canTransition(Status::provisioning, Status::failed));
  EXPECT_FALSE(canTransition(Status::online, Status::failed));
  EXPECT_TRUE(canTransition(Status::hibernating, Status::hibernated));
  EXPECT_FALSE(canTransition(Status::online, Status::hibernated));
  EXPECT_FALSE(canTransition(Status::online, Status::online));
}

}  // namespace
}  // namespace ws
