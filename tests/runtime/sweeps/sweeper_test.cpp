#include "sweeps/sweeper.h"

#include <gtest/gtest.h>

#include "../test_store.h"

namespace ws::test {
namespace {

class SweeperTest : public ::testing::Test {
 protected:
  TempStore store_;
  EventBus events_{*store_};
  Lifecycle lifecycle_{*store_, events_};
  ServerConfig config_;
  Auth auth_{*store_, config_};
  LivenessTracker liveness_{std::chrono::seconds(0)};
  WorkspaceHandler handler_{lifecycle_, auth_, config_, nullptr, nullptr};
  App app_{config_, *store_, auth_, lifecycle_, handler_, liveness_};
  Sweeper sweeper_{app_};
};

TEST_F(SweeperTest, StuckProvisioningFails) {
  config_.provision_timeout = std::chrono::seconds(60);
  auto stuck = makeWorkspace("stuck");
  stuck.updated_at = formatTime(Clock::now() - std::chrono::minutes(5));
  auto fresh = makeWorkspace("fresh");
  ASSERT_TRUE(store_->insertWorkspace(stuck, createdEvent(stuck)));
  ASSERT_TRUE(store_->insertWorkspace(fresh, createdEvent(fresh)));
  sweeper_.runOnce();
  auto s = **store_->findWorkspace(stuck.id);
  EXPECT_EQ(s.status, Status::failed);
  EXPECT_NE(s.last_sample_error.find("timed out"), std::string::npos);
  EXPECT_EQ((*store_->findWorkspace(fresh.id))->status, Status::provisioning);
  EXPECT_EQ(store_->listEvents(stuck.id, 10)->back().event_type, "WORKSPACE_PROVISION_FAILED");
}

TEST_F(SweeperTest, SilentWorkspacesGoOfflineButPausedStay) {
  auto online = makeWorkspace("on", Status::online);
  auto paused = makeWorkspace("paused", Status::paused);
  ASSERT_TRUE(store_->insertWorkspace(online, createdEvent(online)));
  ASSERT_TRUE(store_->insertWorkspace(paused, createdEvent(paused)));
  liveness_.touch(online.id);
  liveness_.touch(paused.id);
  sweeper_.runOnce();  // the TTL is zero: both expire
  EXPECT_EQ((*store_->findWorkspace(online.id))->status, Status::offline);
  EXPECT_EQ((*store_->findWorkspace(paused.id))->status, Status::paused);
}

}  // namespace
}  // namespace ws::test
