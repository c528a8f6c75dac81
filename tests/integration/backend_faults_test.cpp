// Backend-specific behaviour on the real backends: an engine that is not there, the two ways
// Docker hands the config to a container, and the control plane's faults scripted through
// cp-emulator. The behaviour both backends share is
// proven by the contract suites in contract/.

#include <gtest/gtest.h>

#include <thread>

#include "support/backend_env.h"
#include "backends/docker/docker_provisioner.h"
#include "backends/docker/engine_client.h"
#include "core/tar.h"
#include "core/util.h"

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

// Containers named by the 12-character prefix (as earlier servers made them) are found by their
// labels, reported alive, replaced at start and removed by stop: nothing of a workspace is left
// behind, and nothing named by a prefix is reached by another id.
TEST(DockerNames, ContainersNamedByAPrefixAreAdopted) {
  const char* host = std::getenv("DOCKER_HOST");
  auto engine = docker::EngineClient::connect(host ? host : "unix:///var/run/docker.sock", 10s);
  ASSERT_TRUE(engine) << "these tests need a Docker Engine (./tools/test starts one)";
  auto& e = **engine;
  const std::string id = newUuid(), instance = "adopt-" + id.substr(0, 8);
  const std::string legacy = "ws-" + id.substr(0, 12);
  const json labels{{"molecule.platform.managed", "true"}, {"molecule.platform.instance", instance},
                    {"molecule.workspace.id", id}};
  ASSERT_TRUE(e.call("POST", "/containers/create?name=" + legacy,
                     json{{"Image", "molecule-local/workspace-agent:dev"}, {"Labels", labels},
                          {"Entrypoint", {"/bin/sleep"}}, {"Cmd", {"300"}}, {"HostConfig", {{"NetworkMode", "host"}}}}));
  ASSERT_TRUE(e.call("POST", "/containers/" + legacy + "/start"));
  docker::DockerOptions options;
  options.instance = instance;
  docker::DockerProvisioner p(*engine, options);
  const auto live = p.isRunning(id);
  EXPECT_TRUE(live.running && !live.error) << "found by its labels";
  EXPECT_FALSE(p.isRunning(id.substr(0, 14) + "4000-8000-000000000000").running) << "a twin id reaches nothing";
  ASSERT_TRUE(p.stop(id));
  EXPECT_EQ(e.call("GET", "/containers/" + legacy + "/json").error().code, Errc::not_found) << "stop removed it";
  (void)p.removeVolumes(id);
}

// An image made by `docker import` has "Labels": null; starting a workspace on it is an
// ordinary success or failure, never an exception on the provisioning pool.
TEST(DockerImages, AnImageWithoutLabelsIsNoCrash) {
  const char* host = std::getenv("DOCKER_HOST");
  auto engine = docker::EngineClient::connect(host ? host : "unix:///var/run/docker.sock", 10s);
  ASSERT_TRUE(engine) << "these tests need a Docker Engine (./tools/test starts one)";
  auto& e = **engine;
  const std::string tag = "bare-" + newUuid().substr(0, 8);
  auto tar = makeTar(filesToTarEntries({{"hello.txt", "hi"}}));
  ASSERT_TRUE(tar);
  auto imported = e.request("POST", "/images/create?fromSrc=-&repo=molecule-local/bare&tag=" + tag, *tar, "application/x-tar");
  ASSERT_TRUE(imported && imported->status == 200) << (imported ? imported->body : imported.error().message);
  const std::string image = "molecule-local/bare:" + tag;
  ASSERT_TRUE(e.call("GET", "/images/" + image + "/json")->value("/Config/Labels"_json_pointer, json(1)).is_null());
  docker::DockerOptions options;
  options.instance = "bare-" + tag;
  options.runtime_images["bare"] = image;
  docker::DockerProvisioner p(*engine, options);
  WorkspaceConfig c;
  c.workspace_id = newUuid();
  c.runtime = "bare";
  c.tier = 2;
  c.platform_url = "http://127.0.0.1:9";
  c.config_files = {{"config.yaml", "name: bare\n"}};
  EXPECT_NO_THROW({
    auto started = p.start(c);
    if (!started) {
      EXPECT_FALSE(started.error().message.empty());
    }
  });
  (void)p.stop(c.workspace_id);
  (void)p.removeVolumes(c.workspace_id);
  (void)e.call("DELETE", "/images/" + image + "?force=true");
}

// The agent image declares the config handover: the config travels in WORKSPACE_CONFIG_TAR and
// start.sh unpacks it, out of the agent's sight. An image without the label gets the archive
// upload before ContainerStart instead. Both end with the same /configs.
TEST(DockerConfigHandover, LabelledImagesUnpackTheirConfigAndOthersGetAnUpload) {
  const char* host = std::getenv("DOCKER_HOST");
  auto engine = docker::EngineClient::connect(host ? host : "unix:///var/run/docker.sock", 10s);
  ASSERT_TRUE(engine) << "these tests need a Docker Engine (./tools/test starts one)";
  auto& e = **engine;
  const std::string suffix = newUuid().substr(0, 8);
  const std::string plain = "molecule-local/workspace-agent:plain-" + suffix;
  // The same image without the label, through a commit of a container that never ran.
  auto holder = e.call("POST", "/containers/create", json{{"Image", "molecule-local/workspace-agent:dev"}});
  ASSERT_TRUE(holder) << holder.error().message;
  const std::string holder_id = (*holder)["Id"];
  ASSERT_TRUE(e.call("POST", "/commit?container=" + holder_id + "&repo=molecule-local/workspace-agent&tag=plain-" + suffix +
                                 "&changes=LABEL%20molecule.workspace.config-env%3D"));
  (void)e.call("DELETE", "/containers/" + holder_id + "?force=true");

  docker::DockerOptions options;
  options.instance = "test-" + suffix;
  options.runtime_images["plain"] = plain;
  docker::DockerProvisioner p(*engine, options);
  for (const std::string runtime : {"langgraph", "plain"}) {
    SCOPED_TRACE(runtime);
    WorkspaceConfig c;
    c.workspace_id = newUuid();
    c.runtime = runtime;
    c.tier = 2;
    c.platform_url = "http://127.0.0.1:9";
    c.config_files = {{"config.yaml", "name: \"" + runtime + "\"\n"}, {".auth_token", "secret-" + suffix}};
    ASSERT_TRUE(p.start(c));
    const auto inspected = e.call("GET", "/containers/" + docker::containerName(c.workspace_id) + "/json");
    ASSERT_TRUE(inspected);
    const std::string env = inspected->value("/Config/Env"_json_pointer, json::array()).dump();
    EXPECT_EQ(env.find("WORKSPACE_CONFIG_TAR=") != std::string::npos, runtime == "langgraph") << env;
    std::string config;
    for (int i = 0; i < 100 && config != c.config_files["config.yaml"]; ++i) {
      auto r = p.exec(c.workspace_id, {"cat", "/configs/config.yaml"}, "");
      config = r ? r->output : "";
      if (runtime == "plain") break;  // uploaded before start: there at once
      std::this_thread::sleep_for(50ms);
    }
    EXPECT_EQ(config, c.config_files["config.yaml"]);
    EXPECT_EQ(p.exec(c.workspace_id, {"stat", "-c", "%a", "/configs/.auth_token"}, "")->output, "600\n");
    const auto agent_env = p.exec(c.workspace_id, {"sh", "-c", "tr '\\0' '\\n' < /proc/1/environ"}, "");
    ASSERT_TRUE(agent_env);
    EXPECT_EQ(agent_env->output.find("WORKSPACE_CONFIG_TAR"), std::string::npos) << "the agent never sees the handover";
    EXPECT_NE(agent_env->output.find("WORKSPACE_ID=" + c.workspace_id), std::string::npos) << agent_env->output;
    (void)p.stop(c.workspace_id);
    (void)p.removeVolumes(c.workspace_id);
  }
  (void)e.call("DELETE", "/images/" + plain + "?force=true");
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
  /// The emulator's fault script: {"pending": {route: calls}, "calls": {route: served}}.
  json faultState() {
    auto r = env_.emulator().client().request("GET", "/cp/admin/faults", "", env_.emulator().auth(true));
    EXPECT_EQ(r.status, 200) << r.body;
    return r.status == 200 ? r.json() : json{{"pending", json::object()}, {"calls", json::object()}};
  }
  /// Waits until every scripted call of `route` was served and then `after` more normal calls,
  /// so the server has handled the last fault's answer. False on timeout.
  bool waitForFaultsServed(const std::string& route, int after, std::chrono::seconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    long drained_at = -1;
    while (std::chrono::steady_clock::now() < deadline) {
      const json s = faultState();
      const long calls = s["calls"].value(route, 0L);
      if (drained_at < 0 && !s["pending"].contains(route)) drained_at = calls;
      if (drained_at >= 0 && calls >= drained_at + after) return true;
      std::this_thread::sleep_for(100ms);
    }
    return false;
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
  // Nine uncertain answers in a row, then one more sweep: none of them may take it offline.
  ASSERT_TRUE(waitForFaultsServed("status", 1, 60s)) << faultState().dump();
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
