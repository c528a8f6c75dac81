// The dispatchers route to the control plane first, then Docker, then their fallbacks.

#include "service/workspace_service.h"

#include <gtest/gtest.h>

#include "support/service_stack.h"

namespace ws::test {
namespace {

// Records calls; start fails when told to.
class FakeProvisioner : public Provisioner {
 public:
  explicit FakeProvisioner(std::string name) : name_(std::move(name)) {}
  std::string name() const override { return name_; }
  Result<StartResult> start(const WorkspaceConfig& c) override {
    started.push_back(c);
    if (fail_start) return makeError(Errc::backend_error, "engine said no");
    return StartResult{"http://127.0.0.1:4242", name_ == "controlplane" ? "i-0123456789abcdef0" : ""};
  }
  Result<> stop(const std::string& id) override {
    stopped.push_back(id);
    if (fail_stop) return makeError(Errc::backend_error, "stop failed");
    return {};
  }
  Liveness isRunning(const std::string&) override { return {true, std::nullopt}; }
  Result<std::string> bootLog(const std::string&) override { return makeError(Errc::unsupported, "fake"); }
  Result<ExecResult> exec(const std::string&, const std::vector<std::string>&, const std::string&) override {
    return makeError(Errc::unsupported, "fake");
  }
  Result<std::string> readArchive(const std::string&, const std::string&) override {
    return makeError(Errc::unsupported, "fake");
  }
  Result<> writeArchive(const std::string&, const std::string&, const std::string&) override {
    return makeError(Errc::unsupported, "fake");
  }
  Result<TerminalPtr> openTerminal(const std::string&) override { return makeError(Errc::unsupported, "fake"); }
  Result<std::vector<std::string>> listManaged() override { return std::vector<std::string>{}; }
  Result<> removeVolumes(const std::string&) override { return {}; }

  std::vector<WorkspaceConfig> started;
  std::vector<std::string> stopped;
  bool fail_start = false;
  bool fail_stop = false;

 private:
  std::string name_;
};

class Dispatchers : public ::testing::Test, protected StoreStack {
 protected:
  std::shared_ptr<FakeProvisioner> cp_ = std::make_shared<FakeProvisioner>("controlplane");
  std::shared_ptr<FakeProvisioner> docker_ = std::make_shared<FakeProvisioner>("docker");

  Workspace insert() {
    auto w = makeWorkspace("agent");
    EXPECT_TRUE(store_->insertWorkspace(w, createdEvent(w)));
    return w;
  }
  Workspace reload(const Workspace& w) { return **store_->findWorkspace(w.id); }
};

TEST_F(Dispatchers, NoBackendFallbacks) {
  WorkspaceService h(lifecycle_, credentials_, config_, nullptr, nullptr);
  EXPECT_FALSE(h.hasProvisioner());
  auto w = insert();
  h.provisionWorkspaceAuto(w);
  h.drain();
  EXPECT_EQ(reload(w).status, Status::failed);
  EXPECT_EQ(reload(w).last_sample_error, kNoBackendReason);
  EXPECT_TRUE(h.stopWorkspaceAuto(w.id)) << "stop without a backend is a no-op";
}

TEST_F(Dispatchers, DockerOnly) {
  WorkspaceService h(lifecycle_, credentials_, config_, nullptr, docker_);
  EXPECT_TRUE(h.hasProvisioner());
  auto w = insert();
  h.provisionWorkspaceAuto(w);
  h.drain();
  ASSERT_EQ(docker_->started.size(), 1u);
  const auto& cfg = docker_->started[0];
  EXPECT_EQ(cfg.workspace_id, w.id);
  ASSERT_TRUE(cfg.config_files.count(".auth_token"));
  EXPECT_TRUE(*credentials_.validToken(cfg.config_files.at(".auth_token"), w.id)) << "the injected token works";
  EXPECT_NE(cfg.config_files.at("config.yaml").find("name: \"agent\""), std::string::npos);
  EXPECT_EQ(reload(w).url, "http://127.0.0.1:4242");
  EXPECT_EQ(reload(w).status, Status::provisioning) << "online only once the agent registers";
  ASSERT_TRUE(h.stopWorkspaceAuto(w.id));
  EXPECT_EQ(docker_->stopped, std::vector<std::string>{w.id});
}

TEST_F(Dispatchers, ControlPlaneWinsOverDocker) {
  WorkspaceService h(lifecycle_, credentials_, config_, cp_, docker_);
  auto w = insert();
  h.provisionWorkspaceAuto(w);
  h.drain();
  EXPECT_EQ(cp_->started.size(), 1u);
  EXPECT_TRUE(docker_->started.empty());
  EXPECT_EQ(reload(w).instance_id, "i-0123456789abcdef0");
  ASSERT_TRUE(h.stopWorkspaceAuto(w.id));
  EXPECT_EQ(cp_->stopped.size(), 1u);
  EXPECT_TRUE(docker_->stopped.empty());
}

TEST_F(Dispatchers, StartFailureMarksFailedWithReason) {
  docker_->fail_start = true;
  WorkspaceService h(lifecycle_, credentials_, config_, nullptr, docker_);
  auto w = insert();
  h.provisionWorkspaceAuto(w);
  h.drain();
  EXPECT_EQ(reload(w).status, Status::failed);
  EXPECT_EQ(reload(w).last_sample_error, "workspace start failed: engine said no");
}

TEST_F(Dispatchers, ReprovisionRevokesThePreviousToken) {
  WorkspaceService h(lifecycle_, credentials_, config_, nullptr, docker_);
  auto w = insert();
  h.provisionWorkspaceAuto(w);
  h.drain();
  h.provisionWorkspaceAuto(w);
  h.drain();
  ASSERT_EQ(docker_->started.size(), 2u);
  EXPECT_FALSE(*credentials_.validToken(docker_->started[0].config_files.at(".auth_token"), w.id));
  EXPECT_TRUE(*credentials_.validToken(docker_->started[1].config_files.at(".auth_token"), w.id));
}

TEST_F(Dispatchers, AMessageWakesAHibernatedWorkspaceAndNothingElseDoes) {
  WorkspaceService h(lifecycle_, credentials_, config_, nullptr, docker_);
  auto w = makeWorkspace("sleeper", Status::hibernated);
  ASSERT_TRUE(store_->insertWorkspace(w, createdEvent(w)));
  h.restartInBackground(w.id);  // e.g. a secret changed: a hibernated workspace stays asleep
  h.drain();
  EXPECT_EQ(reload(w).status, Status::hibernated);
  EXPECT_TRUE(docker_->started.empty());
  h.wakeInBackground(w.id);
  h.drain();
  EXPECT_EQ(reload(w).status, Status::provisioning);
  EXPECT_EQ(docker_->started.size(), 1u) << "provisioned again";
  auto awake = insert();
  h.wakeInBackground(awake.id);
  h.drain();
  EXPECT_EQ(docker_->started.size(), 1u) << "only a hibernated workspace is woken";
}

TEST_F(Dispatchers, StopErrorsPropagate) {
  docker_->fail_stop = true;
  WorkspaceService h(lifecycle_, credentials_, config_, nullptr, docker_);
  auto r = h.stopWorkspaceAuto("x");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::backend_error);
}

}  // namespace
}  // namespace ws::test
