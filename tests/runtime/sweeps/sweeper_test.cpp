#include "sweeps/sweeper.h"

#include <gtest/gtest.h>

#include "sweep_fixture.h"

namespace ws::test {
namespace {

// The sweeps over a wired backend.
class BackendSweepTest : public SweepFixture {
 protected:
  BackendSweepTest() : SweepFixture(true, 3600) {}

  Workspace add(const std::string& name, Status status, bool workload, bool external = false) {
    auto w = makeWorkspace(name, status);
    w.external = external;
    EXPECT_TRUE(store_->insertWorkspace(w, createdEvent(w)));
    if (workload) backend_->workloads.insert(w.id);
    return w;
  }
};

TEST_F(BackendSweepTest, OrphanSweepReapsOnlyWorkloadsWithoutALiveRow) {
  const auto live = add("live", Status::online, true);
  const auto paused = add("paused", Status::paused, true);
  const auto removed = add("removed", Status::removed, true);
  const std::string ghost = newUuid();
  backend_->workloads.insert(ghost);
  sweeper_.runOnce();
  EXPECT_EQ(backend_->workloads, (std::set<std::string>{live.id, paused.id}));
  EXPECT_EQ(backend_->stopped, (std::set<std::string>{removed.id, ghost}));
  EXPECT_EQ(backend_->volumes_removed, (std::set<std::string>{removed.id, ghost}));
}

TEST_F(BackendSweepTest, HealthSweepRestartsDeadWorkloadsOnly) {
  const auto dead = add("dead", Status::online, false);
  const auto alive = add("alive", Status::online, true);
  const auto external = add("external", Status::online, false, true);
  sweeper_.runOnce();
  workspaces_.drain();
  EXPECT_EQ(backend_->started, std::vector<std::string>{dead.id}) << "only the dead one is restarted";
  EXPECT_EQ((*store_->findWorkspace(alive.id))->status, Status::online);
  EXPECT_EQ((*store_->findWorkspace(external.id))->status, Status::online);
  const auto events = *store_->listEvents(dead.id, 10);
  bool offline = false;
  for (const auto& e : events) offline |= e.event_type == "WORKSPACE_OFFLINE";
  EXPECT_TRUE(offline) << "the dead workspace went offline before its restart";
}

TEST_F(BackendSweepTest, AnUncertainBackendMarksNothingDead) {
  const auto w = add("w", Status::online, false);
  backend_->uncertain = true;
  sweeper_.runOnce();
  workspaces_.drain();
  EXPECT_TRUE(backend_->started.empty());
  EXPECT_EQ((*store_->findWorkspace(w.id))->status, Status::online);
}

TEST_F(BackendSweepTest, EverySweepRecordsItsTick) {
  const auto before = Clock::now();
  sweeper_.runOnce();
  const auto ticks = wiring_.ticks.snapshot();
  for (const char* name : {"liveness-sweep", "provision-timeout-sweep", "scheduler", "health-sweep", "orphan-sweep",
                           "hibernation-monitor", "activity-retention", "stalled-work"}) {
    ASSERT_TRUE(ticks.count(name)) << name;
    EXPECT_GE(ticks.at(name), before) << name;
  }
}

TEST_F(BackendSweepTest, ProvisionTimesAndFailedBackendCallsAreCounted) {
  add("dead", Status::online, false);
  sweeper_.runOnce();  // the health sweep restarts it: one start on the backend
  workspaces_.drain();
  add("unsure", Status::online, false);
  backend_->uncertain = true;
  sweeper_.runOnce();
  const auto text = wiring_.metrics.render({});
  EXPECT_NE(text.find(R"(molecule_provision_duration_seconds_count{backend="fake",outcome="ok"} 1)"), std::string::npos) << text;
  EXPECT_NE(text.find(R"(molecule_backend_errors_total{backend="fake",operation="is_running"})"), std::string::npos) << text;
}

// No backend, and a TTL of zero: every tracked workspace expires at once.
class SweeperTest : public SweepFixture {
 protected:
  SweeperTest() : SweepFixture(false, 0) {}
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
  EXPECT_EQ(store_->listEvents(stuck.id, 10)->front().event_type, "WORKSPACE_PROVISION_FAILED") << "newest first";
}

TEST_F(SweeperTest, SilentWorkspacesGoOfflineButPausedStay) {
  auto online = makeWorkspace("on", Status::online);
  auto paused = makeWorkspace("paused", Status::paused);
  ASSERT_TRUE(store_->insertWorkspace(online, createdEvent(online)));
  ASSERT_TRUE(store_->insertWorkspace(paused, createdEvent(paused)));
  sweeper_.runOnce();  // the TTL is zero: both are silent past it
  EXPECT_EQ((*store_->findWorkspace(online.id))->status, Status::offline);
  EXPECT_EQ((*store_->findWorkspace(paused.id))->status, Status::paused);
}

}  // namespace
}  // namespace ws::test
