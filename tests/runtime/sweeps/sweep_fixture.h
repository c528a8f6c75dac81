#pragma once
// The sweeper over a temporary store and a fake backend, shared by the sweep tests.

#include <gtest/gtest.h>

#include <mutex>
#include <set>

#include "support/test_store.h"
#include "app/wiring.h"

namespace ws::test {

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
    if (fail_stop) return makeError(Errc::backend_error, "engine refused");
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
  bool fail_stop = false;

 private:
  std::mutex mutex_;
};

// The sweeper over a temporary store, with the fake backend wired or no backend at all, a
// liveness TTL of `ttl` seconds, and the replica plumbing of one process unless told.
class SweepFixture : public ::testing::Test {
 protected:
  SweepFixture(bool wired, int ttl, ReplicaLinks links = ReplicaLinks::local())
      : config_(withTtl(ttl)), wiring_(config_, *store_, nullptr, wired ? backend_ : nullptr, std::move(links)) {}

  static ServerConfig withTtl(int ttl) {
    ServerConfig c;
    c.liveness_ttl = std::chrono::seconds(ttl);
    return c;
  }

  TempStore store_;
  ServerConfig config_;
  std::shared_ptr<FakeBackend> backend_ = std::make_shared<FakeBackend>();
  Wiring wiring_;
  WorkspaceService& workspaces_ = wiring_.workspaces;
  LivenessTracker& liveness_ = wiring_.liveness;
  Sweeper& sweeper_ = wiring_.sweeper;
};

}  // namespace ws::test
