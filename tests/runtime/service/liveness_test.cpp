#include "service/liveness.h"

#include <gtest/gtest.h>

#include "support/test_store.h"

namespace ws::test {
namespace {

using std::chrono::seconds;

class LivenessTest : public ::testing::Test {
 protected:
  // A workspace in `status` whose last heartbeat was `ago` before now_ (never, when nothing).
  std::string add(const std::string& name, Status status, std::optional<seconds> ago) {
    auto w = makeWorkspace(name, status);
    if (ago) w.last_heartbeat_at = formatTime(now_ - *ago);
    EXPECT_TRUE(store_->insertWorkspace(w, createdEvent(w)));
    return w.id;
  }
  static std::vector<std::string> sorted(std::vector<std::string> ids) {
    std::sort(ids.begin(), ids.end());
    return ids;
  }

  TempStore store_;
  const Clock::time_point now_ = Clock::now();
  const Clock::time_point long_ago_ = now_ - std::chrono::hours(1);  ///< A server start past any grace.
};

TEST_F(LivenessTest, ServingWorkspacesSilentForTheTtlExpire) {
  LivenessTracker liveness(*store_, seconds(10), long_ago_);
  const auto silent = add("silent", Status::online, seconds(15));
  const auto degraded = add("degraded", Status::degraded, seconds(10));
  const auto never = add("never", Status::online, std::nullopt);
  const auto recent = add("recent", Status::online, seconds(5));
  add("paused", Status::paused, seconds(600));
  add("offline", Status::offline, seconds(600));
  add("provisioning", Status::provisioning, std::nullopt);
  EXPECT_EQ(sorted(*liveness.expired(now_)), sorted({silent, degraded, never}))
      << "silent exactly the TTL expires; only online and degraded are judged";
  EXPECT_EQ(liveness.expired(now_ + seconds(5))->size(), 4u) << "then the recent one";
}

TEST_F(LivenessTest, AHeartbeatOrARegistrationRefreshes) {
  LivenessTracker liveness(*store_, seconds(10), long_ago_);
  const auto beat = add("beat", Status::online, seconds(60));
  const auto registered = add("registered", Status::online, seconds(60));
  ASSERT_TRUE(*store_->recordHeartbeat({beat, 0, "", 0, 10, "", std::nullopt}));
  ASSERT_TRUE(*store_->touchHeartbeat(registered));
  EXPECT_TRUE(liveness.expired(Clock::now())->empty());
  EXPECT_EQ(liveness.expired(Clock::now() + seconds(10))->size(), 2u);
  EXPECT_FALSE(*store_->touchHeartbeat("no-such-workspace"));
}

TEST_F(LivenessTest, AStartGivesEveryoneAFullTtl) {
  LivenessTracker liveness(*store_, seconds(10), now_);
  const auto id = add("long-silent", Status::online, seconds(3600));
  EXPECT_TRUE(liveness.expired(now_ + seconds(9))->empty()) << "counted from the start, not the last heartbeat";
  EXPECT_EQ(*liveness.expired(now_ + seconds(10)), std::vector<std::string>{id});
}

TEST_F(LivenessTest, AZeroTtlExpiresEverySilentWorkspaceAtOnce) {
  LivenessTracker liveness(*store_, seconds(0), now_);
  const auto id = add("a", Status::online, seconds(1));
  EXPECT_EQ(*liveness.expired(now_), std::vector<std::string>{id});
}

// Two replicas are two connections to one database: a heartbeat written through one counts
// for the sweep of the other (which shares none of the first one's caches).
TEST_F(LivenessTest, AHeartbeatToOneReplicaCountsOnAnother) {
  auto other = openSqliteStore(store_.path().string());
  ASSERT_TRUE(other);
  LivenessTracker on_b(**other, seconds(10), long_ago_);
  const auto id = add("shared", Status::online, seconds(60));
  EXPECT_EQ(*on_b.expired(Clock::now()), std::vector<std::string>{id});
  ASSERT_TRUE(*store_->recordHeartbeat({id, 0, "", 0, 10, "", std::nullopt}));  // replica A
  EXPECT_TRUE(on_b.expired(Clock::now())->empty());
}

}  // namespace
}  // namespace ws::test
