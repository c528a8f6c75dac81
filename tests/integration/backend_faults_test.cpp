// Backend-specific failure modes on the real backends: an engine that is not there, and the
// control plane's faults scripted through cp-emulator. The behaviour both backends share is
// proven by the contract suites in contract/.

#include <gtest/gtest.h>

#include <thread>

#include "../support/backend_env.h"

namespace ws::test {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

const std::string& kAdmin = kBackendAdmin;

TEST(DockerEngineDown, IsAClearErrorNotAHang) {
  // An explicit docker backend refuses to start without an engine, and says why.
  const auto t0 = std::chrono::steady_clock::now();
  try {
    ServerProcess s({"--backend", "docker", "--docker-host", "unix:///nonexistent/docker.sock"});
    FAIL() << "the server started without an engine";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("not reachable"), std::string::npos) << e.what();
  }
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 10s);
  // auto falls back to no backend: creates are recorded and fail with a reason.
  ServerProcess s({"--backend", "auto", "--docker-host", "unix:///nonexistent/docker.sock"}, {{"ADMIN_TOKEN", kAdmin}});
  auto c = s.client(kAdmin);
  EXPECT_EQ(c.post("/workspaces", {{"name", "nowhere"}}).json()["status"], "failed");
}

// Control-plane failure modes, scripted through the emulator's fault injection.
class ControlPlaneFaults : public ::testing::Test {
 protected:
  std::unique_ptr<ServerProcess> startServer(std::vector<std::string> extra = {}) {
    auto args = env_.serverArgs();
    args.insert(args.end(), {"--sweep-interval-ms", "200"});
    args.insert(args.end(), extra.begin(), extra.end());
    return std::make_unique<ServerProcess>(args, env_.serverEnv());
  }
  void inject(const json& fault) {
    auto c = env_.emulator().client();
    ASSERT_EQ(c.request("POST", "/cp/admin/faults", fault.dump(), env_.emulator().auth(true)).status, 200);
  }
  ControlPlaneEnv env_;
};

TEST_F(ControlPlaneFaults, ProvisionErrorFailsWithAStructuredReasonAndNoEchoedBody) {
  auto server = startServer();
  auto c = server->client(kAdmin);
  inject({{"route", "provision"}, {"status", 500}});
  const std::string id = c.post("/workspaces", {{"name", "unlucky"}}).json()["id"];
  ASSERT_EQ(waitForStatus(c, id, "failed", 15s), "failed");
  const std::string reason = c.get("/workspaces").json()[0]["last_sample_error"];
  EXPECT_EQ(reason, "workspace start failed: provision failed (500): injected fault");

  inject({{"route", "provision"}, {"malformed", true}});  // a 201 whose body is garbage
  const std::string id2 = c.post("/workspaces", {{"name", "garbled"}}).json()["id"];
  ASSERT_EQ(waitForStatus(c, id2, "failed", 15s), "failed");
}

TEST_F(ControlPlaneFaults, StatusTimeoutsKeepTheWorkspaceOnline) {
  auto server = startServer({"--health-sweep-seconds", "1", "--cp-status-timeout", "1"});
  auto c = server->client(kAdmin);
  const std::string id = c.post("/workspaces", {{"name", "steady"}}).json()["id"];
  ASSERT_EQ(waitForStatus(c, id, "online", 30s), "online");
  inject({{"route", "status"}, {"latency_ms", 3000}, {"count", 3}});
  inject({{"route", "status"}, {"drop", true}, {"count", 3}});
  inject({{"route", "status"}, {"status", 503}, {"count", 3}});
  std::this_thread::sleep_for(6s);  // several sweeps, every answer uncertain
  EXPECT_EQ(c.get("/workspaces/" + id).json()["status"], "online");
  EXPECT_FALSE(sawEvent(c, id, "WORKSPACE_OFFLINE"));
}

TEST_F(ControlPlaneFaults, BootstrapFailedMarksAProvisioningWorkspaceFailed) {
  auto server = startServer();
  auto c = server->client(kAdmin);
  inject({{"route", "provision"}, {"latency_ms", 4000}});  // keeps it provisioning for a while
  const std::string id = c.post("/workspaces", {{"name", "slow boot"}}).json()["id"];
  const std::string tail = std::string(10000, 'x') + "cloud-init: agent crashed";
  auto r = c.post("/admin/workspaces/" + id + "/bootstrap-failed", {{"error", "bootstrap failed"}, {"log_tail", tail}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json(), json({{"ok", true}}));
  const json all = c.get("/workspaces").json();
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0]["status"], "failed");
  const std::string reason = all[0]["last_sample_error"];
  EXPECT_LE(reason.size(), 8192u);
  EXPECT_NE(reason.find("agent crashed"), std::string::npos) << "the tail is kept";
  auto again = c.post("/admin/workspaces/" + id + "/bootstrap-failed", {{"error", "again"}});
  EXPECT_EQ(again.json(), json({{"ok", true}, {"no_change", true}}));
}

TEST_F(ControlPlaneFaults, FailedDeprovisionAnswers500WithARetryMessage) {
  auto server = startServer();
  auto c = server->client(kAdmin);
  const std::string id = c.post("/workspaces", {{"name", "sticky"}}).json()["id"];
  ASSERT_EQ(waitForStatus(c, id, "online", 30s), "online");
  inject({{"route", "deprovision"}, {"status", 500}});
  auto del = c.request("DELETE", "/workspaces/" + id);
  ASSERT_EQ(del.status, 500) << del.body;
  EXPECT_NE(del.json()["error"].get<std::string>().find("please retry"), std::string::npos);
  EXPECT_EQ(del.json()["stop_failures"], 1);
  EXPECT_TRUE(env_.workloadUp(id)) << "the instance is still there";
  // The orphan sweep (or a retry by the operator) finishes the job.
  auto again = startServer({"--orphan-sweep-seconds", "1"});
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  while (env_.workloadUp(id) && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(200ms);
  EXPECT_FALSE(env_.workloadUp(id));
}

}  // namespace
}  // namespace ws::test
