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

// Every pair, written out: a change to the state machine is a deliberate edit of this table.
TEST(Status, EveryTransition) {
  // Columns, like the rows, in enum order: provisioning, online, offline, degraded, failed,
  // removed, paused, hibernating, hibernated, awaiting_agent.
  constexpr int kAllowed[10][10] = {
      /* provisioning   */ {0, 1, 0, 0, 1, 1, 1, 0, 0, 1},
      /* online         */ {1, 0, 1, 1, 0, 1, 1, 1, 0, 0},
      /* offline        */ {1, 1, 0, 0, 0, 1, 1, 0, 0, 0},
      /* degraded       */ {1, 1, 1, 0, 0, 1, 1, 1, 0, 0},
      /* failed         */ {1, 1, 0, 0, 0, 1, 1, 0, 0, 0},
      /* removed        */ {0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
      /* paused         */ {1, 1, 0, 0, 0, 1, 0, 0, 0, 0},
      /* hibernating    */ {1, 1, 0, 0, 0, 1, 1, 0, 1, 0},
      /* hibernated     */ {1, 1, 0, 0, 0, 1, 1, 0, 0, 0},
      /* awaiting_agent */ {1, 1, 0, 0, 1, 1, 1, 0, 0, 0},
  };
  for (int from = 0; from < 10; ++from)
    for (int to = 0; to < 10; ++to)
      EXPECT_EQ(canTransition(static_cast<Status>(from), static_cast<Status>(to)), kAllowed[from][to] == 1)
          << toString(static_cast<Status>(from)) << " -> " << toString(static_cast<Status>(to));
}

}  // namespace
}  // namespace ws
