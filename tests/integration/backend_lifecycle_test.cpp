// Workspace lifecycle on every real backend: the Docker backend on a real Docker Engine
// (./tools/test starts a private one when none answers, and builds the agent image) and the
// control-plane backend on cp-emulator. The same scenarios run against both; where a backend
// is stateless by design (control-plane instances keep no volumes) the scenario says so.

#include <gtest/gtest.h>

#include <thread>

#include "../support/server_process.h"
#include "backends/docker/docker_provisioner.h"
#include "backends/docker/engine_client.h"
#include "core/util.h"

namespace ws::test {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

const std::string kAdmin = "backend-admin-token";

std::string dockerHost() {
  const char* h = std::getenv("DOCKER_HOST");
  return h ? h : "unix:///var/run/docker.sock";
}

// What a scenario needs to know about the backend under test, besides the HTTP API.
class BackendEnv {
 public:
  virtual ~BackendEnv() = default;
  virtual std::vector<std::string> serverArgs() = 0;
  virtual std::map<std::string, std::string> serverEnv() { return {{"ADMIN_TOKEN", kAdmin}}; }
  /// Whether the workspace's workload (container / instance) is up.
  virtual bool workloadUp(const std::string& id) = 0;
  /// Whether any storage of the workspace survives (volumes).
  virtual bool storageLeft(const std::string& id) = 0;
  /// Removes the workload without telling the server.
  virtual void killBehindItsBack(const std::string& id) = 0;
  /// Starts a labelled workload for a workspace the server never heard of.
  virtual void startOrphan(const std::string& ghost) = 0;
  virtual std::string execIn(const std::string& id, const std::vector<std::string>& argv) = 0;
  /// Docker keeps /workspace in a volume across restarts; control-plane instances are stateless.
  virtual bool keepsWorkspaceData() const = 0;
};

class DockerEnv : public BackendEnv {
 public:
  DockerEnv() {
    auto engine = docker::EngineClient::connect(dockerHost(), 10s);
    if (!engine) throw std::runtime_error("these tests need a Docker Engine (./tools/test starts one): " + engine.error().message);
    engine_ = *engine;
    if (!engine_->call("GET", "/images/molecule-local%2Fworkspace-agent:dev/json"))
      throw std::runtime_error("the agent image is missing: run tools/make-agent-image");
  }
  ~DockerEnv() override {
    // Leave nothing behind, whatever the test did.
    const json filters{{"label", {"molecule.platform.instance=" + instance_}}};
    if (auto listed = engine_->call("GET", "/containers/json?all=1&filters=" + filters.dump()))
      for (const auto& c : *listed) (void)engine_->call("DELETE", "/containers/" + c["Id"].get<std::string>() + "?force=true");
    auto volumes = engine_->call("GET", "/volumes?filters=" + filters.dump());
    if (volumes && (*volumes)["Volumes"].is_array())
      for (const auto& v : (*volumes)["Volumes"]) (void)engine_->call("DELETE", "/volumes/" + v["Name"].get<std::string>() + "?force=true");
  }
  std::vector<std::string> serverArgs() override { return {"--backend", "docker", "--instance-id", instance_}; }
  std::map<std::string, std::string> serverEnv() override { return {{"ADMIN_TOKEN", kAdmin}, {"DOCKER_HOST", dockerHost()}}; }
  bool workloadUp(const std::string& id) override {
    auto c = engine_->call("GET", "/containers/" + docker::containerName(id) + "/json");
    return c && c->value("/State/Running"_json_pointer, false);
  }
  bool storageLeft(const std::string& id) override {
    return engine_->call("GET", "/volumes/" + docker::configVolumeName(id)) ||
           engine_->call("GET", "/volumes/" + docker::workspaceVolumeName(id));
  }
  void killBehindItsBack(const std::string& id) override {
    ASSERT_TRUE(engine_->call("DELETE", "/containers/" + docker::containerName(id) + "?force=true"));
  }
  void startOrphan(const std::string& ghost) override {
    const json spec{{"Image", "molecule-local/workspace-agent:dev"},
                    {"Entrypoint", {"/bin/sleep", "600"}},
                    {"Labels", {{"molecule.platform.managed", "true"}, {"molecule.platform.instance", instance_},
                                {"molecule.workspace.id", ghost}}},
                    {"HostConfig", {{"NetworkMode", "host"}}}};
    ASSERT_TRUE(engine_->call("POST", "/containers/create?name=" + docker::containerName(ghost), spec));
    ASSERT_TRUE(engine_->call("POST", "/containers/" + docker::containerName(ghost) + "/start"));
  }
  std::string execIn(const std::string& id, const std::vector<std::string>& argv) override {
    docker::DockerProvisioner p(engine_, docker::DockerOptions{});
    auto r = p.exec(id, argv, "");
    return r ? r->output : "exec failed: " + r.error().message;
  }
  bool keepsWorkspaceData() const override { return true; }

 private:
  docker::EngineClientPtr engine_;
  std::string instance_ = "test-" + newUuid().substr(0, 8);
};

class ControlPlaneEnv : public BackendEnv {
 public:
  std::vector<std::string> serverArgs() override {
    return {"--backend", "controlplane", "--org-id", org_, "--cp-url", emulator_.url(), "--cp-shared-secret", kSecret};
  }
  bool workloadUp(const std::string& id) override { return !liveInstance(id).empty(); }
  bool storageLeft(const std::string& id) override { return workloadUp(id); }  // storage ends with the instance
  void killBehindItsBack(const std::string& id) override {
    auto c = emulator_.client();
    ASSERT_EQ(c.request("DELETE", "/cp/workspaces/" + id, "", emulator_.auth()).status, 200);
  }
  void startOrphan(const std::string& ghost) override {
    auto c = emulator_.client();
    const json body{{"org_id", org_}, {"workspace_id", ghost}, {"runtime", "langgraph"}, {"tier", 2},
                    {"platform_url", "http://127.0.0.1:9"}, {"env", json::object()}};
    ASSERT_EQ(c.request("POST", "/cp/workspaces/provision", body.dump(), emulator_.auth()).status, 201);
  }
  std::string execIn(const std::string& id, const std::vector<std::string>& argv) override {
    auto c = emulator_.client();
    auto r = c.request("POST", "/cp/workspaces/" + id + "/exec?instance_id=" + liveInstance(id), json{{"argv", argv}}.dump(),
                       emulator_.auth());
    return r.status == 200 ? r.json().value("output", "") : "exec failed: " + r.body;
  }
  bool keepsWorkspaceData() const override { return false; }

  CpEmulatorProcess& emulator() { return emulator_; }

 private:
  static constexpr const char* kSecret = "cp-shared-secret";
  std::string liveInstance(const std::string& id) {
    auto c = emulator_.client();
    const json listing = c.request("GET", "/cp/workspaces?org_id=" + org_, "", emulator_.auth()).json();
    for (const auto& i : listing["instances"])
      if (i["workspace_id"] == id && (i["state"] == "running" || i["state"] == "pending")) return i["instance_id"];
    return "";
  }
  CpEmulatorProcess emulator_{kSecret, kAdmin};
  std::string org_ = "org-" + newUuid().substr(0, 8);
};

std::string waitForStatus(HttpClient& c, const std::string& id, const std::string& want, std::chrono::seconds limit) {
  std::string status;
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    status = c.get("/workspaces/" + id).json().value("status", "");
    if (status == want) break;
    std::this_thread::sleep_for(100ms);
  }
  return status;
}

bool sawEvent(HttpClient& c, const std::string& id, const std::string& type) {
  const json events = c.get("/events/" + id).json();
  for (const auto& e : events)
    if (e["event_type"] == type) return true;
  return false;
}

class BackendLifecycle : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "docker") env_ = std::make_unique<DockerEnv>();
    else env_ = std::make_unique<ControlPlaneEnv>();
  }
  std::unique_ptr<ServerProcess> startServer(std::vector<std::string> extra = {}) {
    auto args = env_->serverArgs();
    args.insert(args.end(), {"--sweep-interval-ms", "200"});
    args.insert(args.end(), extra.begin(), extra.end());
    return std::make_unique<ServerProcess>(args, env_->serverEnv());
  }
  std::unique_ptr<BackendEnv> env_;
};

TEST_P(BackendLifecycle, CreateComesOnlineWithConfigInjectedBeforeBoot) {
  auto server = startServer();
  auto c = server->client(kAdmin);
  auto created = c.post("/workspaces", {{"name", "agent one"}, {"role", "tester"}, {"tier", 2}});
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string id = created.json()["id"];
  EXPECT_EQ(created.json()["status"], "provisioning");
  ASSERT_EQ(waitForStatus(c, id, "online", 30s), "online");
  ASSERT_TRUE(env_->workloadUp(id));
  EXPECT_NE(env_->execIn(id, {"cat", "/configs/config.yaml"}).find("name: \"agent one\""), std::string::npos);
  EXPECT_EQ(env_->execIn(id, {"stat", "-c", "%a", "/configs/.auth_token"}), "600\n");
  auto w = c.get("/workspaces/" + id).json();
  EXPECT_EQ(w["agent_card"]["name"], "agent one");
  auto log = c.get("/workspaces/" + id + "/boot-log");
  ASSERT_EQ(log.status, 200) << log.body;
  EXPECT_NE(log.json()["output"].get<std::string>().find("registered with"), std::string::npos);
  EXPECT_EQ(log.json()["backend"], GetParam());
}

TEST_P(BackendLifecycle, PauseStopsAndResumeAndRestartComeBack) {
  auto server = startServer();
  auto c = server->client(kAdmin);
  const std::string id = c.post("/workspaces", {{"name", "keeper"}, {"tier", 2}}).json()["id"];
  ASSERT_EQ(waitForStatus(c, id, "online", 30s), "online");
  ASSERT_EQ(env_->execIn(id, {"sh", "-c", "echo kept > /workspace/note && cat /workspace/note"}), "kept\n");

  auto paused = c.post("/workspaces/" + id + "/pause", json::object());
  ASSERT_EQ(paused.status, 200) << paused.body;
  EXPECT_EQ(paused.json()["paused_count"], 1);
  EXPECT_FALSE(env_->workloadUp(id)) << "pause stops the workload";

  ASSERT_EQ(c.post("/workspaces/" + id + "/resume", json::object()).status, 200);
  ASSERT_EQ(waitForStatus(c, id, "online", 30s), "online");
  if (env_->keepsWorkspaceData()) {
    EXPECT_EQ(env_->execIn(id, {"cat", "/workspace/note"}), "kept\n");
  }

  // Restart takes the runtime from the database on every backend.
  ASSERT_EQ(c.request("PATCH", "/workspaces/" + id, json{{"runtime", "deepagents"}}.dump()).status, 200);
  auto restarted = c.post("/workspaces/" + id + "/restart", json::object());
  ASSERT_EQ(restarted.status, 200) << restarted.body;
  ASSERT_EQ(waitForStatus(c, id, "online", 30s), "online");
  EXPECT_NE(env_->execIn(id, {"cat", "/configs/config.yaml"}).find("runtime: \"deepagents\""), std::string::npos);
  if (env_->keepsWorkspaceData()) {
    EXPECT_EQ(env_->execIn(id, {"cat", "/workspace/note"}), "kept\n");
  }
}

TEST_P(BackendLifecycle, DeleteLeavesNothingBehind) {
  auto server = startServer();
  auto c = server->client(kAdmin);
  const std::string id = c.post("/workspaces", {{"name", "doomed"}, {"tier", 2}}).json()["id"];
  ASSERT_EQ(waitForStatus(c, id, "online", 30s), "online");
  auto del = c.request("DELETE", "/workspaces/" + id);
  ASSERT_EQ(del.status, 200) << del.body;
  EXPECT_FALSE(env_->workloadUp(id));
  EXPECT_FALSE(env_->storageLeft(id));
}

TEST_P(BackendLifecycle, HealthSweepRestartsAWorkloadRemovedBehindItsBack) {
  auto server = startServer({"--health-sweep-seconds", "1"});
  auto c = server->client(kAdmin);
  const std::string id = c.post("/workspaces", {{"name", "phoenix"}, {"tier", 2}}).json()["id"];
  ASSERT_EQ(waitForStatus(c, id, "online", 30s), "online");
  env_->killBehindItsBack(id);
  // The sweep marks it offline and restarts it, which can be quicker than a poll: the events
  // tell the story.
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (!sawEvent(c, id, "WORKSPACE_OFFLINE") && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(100ms);
  EXPECT_TRUE(sawEvent(c, id, "WORKSPACE_OFFLINE"));
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(waitForStatus(c, id, "online", 30s), "online");
  EXPECT_TRUE(env_->workloadUp(id));
}

TEST_P(BackendLifecycle, OrphanSweeperReapsWorkloadsWithoutAWorkspace) {
  const std::string ghost = newUuid();
  env_->startOrphan(ghost);
  ASSERT_TRUE(env_->workloadUp(ghost));
  auto server = startServer({"--orphan-sweep-seconds", "1"});
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  while (env_->workloadUp(ghost) && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(200ms);
  EXPECT_FALSE(env_->workloadUp(ghost));
}

TEST_P(BackendLifecycle, OrgImportOfATenWorkspaceTreeComesOnline) {
  auto server = startServer();
  auto c = server->client(kAdmin);
  const json tmpl = json::parse(R"({
    "name": "acme", "defaults": {"tier": 2, "runtime": "langgraph"},
    "required_env": ["ACME_API_KEY"],
    "workspaces": [
      {"name": "chief", "role": "leads", "children": [
        {"name": "cto", "children": [{"name": "dev-1"}, {"name": "dev-2"}, {"name": "dev-3"}]},
        {"name": "cfo", "children": [{"name": "analyst"}]}]},
      {"name": "support", "children": [{"name": "agent-1"}, {"name": "agent-2"}]}]})");
  auto gated = c.post("/org/import", {{"template", tmpl}});
  ASSERT_EQ(gated.status, 412) << gated.body;
  EXPECT_EQ(gated.json()["missing_env"][0], "ACME_API_KEY");
  auto imported = c.post("/org/import", {{"template", tmpl}, {"force", true}});
  ASSERT_EQ(imported.status, 201) << imported.body;
  ASSERT_EQ(imported.json()["count"], 10);
  const json created = imported.json();
  for (const auto& w : created["workspaces"]) EXPECT_EQ(waitForStatus(c, w["id"], "online", 60s), "online") << w;
  const json all = c.get("/workspaces").json();
  int children = 0;
  for (const auto& w : all) children += !w["parent_id"].is_null();
  EXPECT_EQ(children, 8);
}

TEST_P(BackendLifecycle, TeamCollapseStopsEveryChild) {
  auto server = startServer();
  auto c = server->client(kAdmin);
  const std::string lead = c.post("/workspaces", {{"name", "lead"}, {"tier", 2}}).json()["id"];
  ASSERT_EQ(waitForStatus(c, lead, "online", 30s), "online");
  auto expanded = c.post("/workspaces/" + lead + "/expand",
                         {{"sub_workspaces", {{{"name", "a"}}, {{"name", "b"}, {"role", "reviewer"}}, {{"name", "c"}}}}});
  ASSERT_EQ(expanded.status, 200) << expanded.body;
  std::vector<std::string> kids;
  const json listed = expanded.json();
  for (const auto& k : listed["children"]) kids.push_back(k["id"]);
  ASSERT_EQ(kids.size(), 3u);
  for (const auto& k : kids) ASSERT_EQ(waitForStatus(c, k, "online", 30s), "online");
  for (const auto& k : kids) ASSERT_TRUE(env_->workloadUp(k));
  auto collapsed = c.post("/workspaces/" + lead + "/collapse", json::object());
  ASSERT_EQ(collapsed.status, 200) << collapsed.body;
  EXPECT_EQ(collapsed.json()["removed"].size(), 3u);
  for (const auto& k : kids) {
    EXPECT_FALSE(env_->workloadUp(k)) << k;
    EXPECT_EQ(c.get("/workspaces/" + k).status, 404);
  }
  auto console = c.get("/workspaces/" + lead + "/console");
  ASSERT_EQ(console.status, 200) << console.body;
  EXPECT_NE(console.json()["output"].get<std::string>().find("registered"), std::string::npos);
}

TEST_P(BackendLifecycle, TerminalRunsAShellInTheWorkspace) {
  auto server = startServer();
  auto c = server->client(kAdmin);
  const std::string id = c.post("/workspaces", {{"name", "shell"}, {"tier", 2}}).json()["id"];
  ASSERT_EQ(waitForStatus(c, id, "online", 30s), "online");
  const std::map<std::string, std::string> admin{{"Authorization", "Bearer " + kAdmin}};
  const std::string out = terminalExchange(server->port(), "/workspaces/" + id + "/terminal", admin,
                                           "cat /configs/config.yaml; echo done-$((6*7))\n", "done-42", 15s);
  EXPECT_NE(out.find("done-42"), std::string::npos) << out;
  EXPECT_NE(out.find("name: \"shell\""), std::string::npos) << "the shell runs inside the workspace: " << out;
  EXPECT_THROW(terminalExchange(server->port(), "/workspaces/" + id + "/terminal", {}, "true\n", "x", 2s),
               std::runtime_error)
      << "no token, no shell";
  EXPECT_EQ(c.get("/workspaces/" + id + "/terminal").status, 426) << "a plain GET is told to upgrade";
}

TEST_P(BackendLifecycle, DefaultTierComesOnline) {
  // Tier 3 is the default; an engine that refuses privileged containers still runs it.
  auto server = startServer();
  auto c = server->client(kAdmin);
  auto created = c.post("/workspaces", {{"name", "default tier"}});
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string id = created.json()["id"];
  EXPECT_EQ(waitForStatus(c, id, "online", 30s), "online");
  EXPECT_EQ(c.get("/workspaces/" + id).json()["tier"], 3);
}

INSTANTIATE_TEST_SUITE_P(Backends, BackendLifecycle, ::testing::Values("docker", "controlplane"),
                         [](const ::testing::TestParamInfo<std::string>& p) { return p.param; });

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
