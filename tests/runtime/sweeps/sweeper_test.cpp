#include "sweeps/sweeper.h"

#include <gtest/gtest.h>

#include <mutex>
#include <set>

#include "../test_store.h"

namespace ws::test {
namespace {

// A backend that only remembers which workloads exist: enough to see what a sweep does to them.
class FakeBackend final : public Provisioner {
 public:
  std::string name() const override { return "fake"; }
  Result<StartResult> start(const WorkspaceConfig& c) override {
    std::lock_guard lock(mutex_);
    workloads.insert(c.workspace_id);
    started.push_back(c.workspace_id);
    return StartResult{"http://127.0.0.1:9", ""};
  }
  Result<> stop(const std::string& id) override {
    std::lock_guard lock(mutex_);
    workloads.erase(id);
    stopped.insert(id);
    return {};
  }
  Liveness isRunning(const std::string& id) override {
    std::lock_guard lock(mutex_);
    if (uncertain) return {true, makeError(Errc::timeout, "engine slow")};
    return {workloads.count(id) > 0, std::nullopt};
  }
  Result<std::string> bootLog(const std::string&) override { return std::string(); }
  Result<ExecResult> exec(const std::string&, const std::vector<std::string>&, const std::string&) override {
    return ExecResult{};
  }
  Result<std::string> readArchive(const std::string&, const std::string&) override { return std::string(); }
  Result<> writeArchive(const std::string&, const std::string&, const std::string&) override { return {}; }
  Result<TerminalPtr> openTerminal(const std::string&) override { return makeError(Errc::unsupported, "no"); }
  Result<std::vector<std::string>> listManaged() override {
    std::lock_guard lock(mutex_);
    return std::vector<std::string>(workloads.begin(), workloads.end());
  }
  Result<> removeVolumes(const std::string& id) override {
    std::lock_guard lock(mutex_);
    volumes_removed.insert(id);
    return {};
  }

  std::set<std::string> workloads, stopped, volumes_removed;
  std::vector<std::string> started;
  bool uncertain = false;

 private:
  std::mutex mutex_;
};

// The sweeper over a temporary store, with the fake backend wired or no backend at all, and a
// liveness TTL of `ttl` seconds.
class SweepFixture : public ::testing::Test {
 protected:
  SweepFixture(bool wired, int ttl)
      : liveness_(std::chrono::seconds(ttl)),
        handler_(lifecycle_, auth_, config_, nullptr, wired ? backend_ : nullptr) {}

  TempStore store_;
  EventBus events_{*store_};
  Lifecycle lifecycle_{*store_, events_};
  ServerConfig config_;
  Auth auth_{*store_, config_};
  LivenessTracker liveness_;
  std::shared_ptr<FakeBackend> backend_ = std::make_shared<FakeBackend>();
  WorkspaceHandler handler_;
  App app_{config_, *store_, auth_, lifecycle_, handler_, liveness_};
  Sweeper sweeper_{app_};
};

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
  handler_.drain();
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
  handler_.drain();
  EXPECT_TRUE(backend_->started.empty());
  EXPECT_EQ((*store_->findWorkspace(w.id))->status, Status::online);
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
