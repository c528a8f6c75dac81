// The Docker backend against a real Docker Engine (./tools/test starts a private one when
// none answers, and builds the agent image): lifecycle, sweeps and failure modes.

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

const std::string kAdmin = "docker-admin-token";

std::string dockerHost() {
  const char* h = std::getenv("DOCKER_HOST");
  return h ? h : "unix:///var/run/docker.sock";
}

class DockerBackend : public ::testing::Test {
 protected:
  void SetUp() override {
    auto engine = docker::EngineClient::connect(dockerHost(), 10s);
    ASSERT_TRUE(engine) << "these tests need a Docker Engine (./tools/test starts one): " << engine.error().message;
    engine_ = *engine;
    auto image = engine_->call("GET", "/images/molecule-local%2Fworkspace-agent:dev/json");
    ASSERT_TRUE(image) << "the agent image is missing: run tools/make-agent-image";
  }

  void TearDown() override {
    // Leave nothing behind, whatever the test did.
    if (!engine_) return;
    const json filters{{"label", {"molecule.platform.instance=" + instance_}}};
    auto listed = engine_->call("GET", "/containers/json?all=1&filters=" + filters.dump());
    if (listed)
      for (const auto& c : *listed) (void)engine_->call("DELETE", "/containers/" + c["Id"].get<std::string>() + "?force=true");
    auto volumes = engine_->call("GET", "/volumes?filters=" + filters.dump());
    if (volumes && (*volumes)["Volumes"].is_array())
      for (const auto& v : (*volumes)["Volumes"]) (void)engine_->call("DELETE", "/volumes/" + v["Name"].get<std::string>() + "?force=true");
  }

  std::unique_ptr<ServerProcess> startServer(std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"--backend", "docker", "--instance-id", instance_, "--sweep-interval-ms", "200"};
    args.insert(args.end(), extra.begin(), extra.end());
    return std::make_unique<ServerProcess>(args, std::map<std::string, std::string>{{"ADMIN_TOKEN", kAdmin}, {"DOCKER_HOST", dockerHost()}});
  }

  static std::string waitForStatus(HttpClient& c, const std::string& id, const std::string& want, std::chrono::seconds limit) {
    std::string status;
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      status = c.get("/workspaces/" + id).json().value("status", "");
      if (status == want) break;
      std::this_thread::sleep_for(100ms);
    }
    return status;
  }

  bool containerExists(const std::string& id) {
    return static_cast<bool>(engine_->call("GET", "/containers/" + docker::containerName(id) + "/json"));
  }
  bool volumeExists(const std::string& name) { return static_cast<bool>(engine_->call("GET", "/volumes/" + name)); }

  // Runs a command in the workspace's container through the engine.
  std::string execIn(const std::string& id, const std::vector<std::string>& argv) {
    docker::DockerProvisioner p(engine_, docker::DockerOptions{});
    auto r = p.exec(id, argv, "");
    return r ? r->output : "exec failed: " + r.error().message;
  }

  docker::EngineClientPtr engine_;
  std::string instance_ = "test-" + newUuid().substr(0, 8);
};

TEST_F(DockerBackend, CreateComesOnlineWithConfigInjectedBeforeStart) {
  auto server = startServer();
  auto c = server->client(kAdmin);
  auto created = c.post("/workspaces", {{"name", "docker one"}, {"role", "tester"}, {"tier", 2}});
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string id = created.json()["id"];
  EXPECT_EQ(created.json()["status"], "provisioning");
  EXPECT_EQ(waitForStatus(c, id, "online", 30s), "online");
  ASSERT_TRUE(containerExists(id));
  EXPECT_NE(execIn(id, {"cat", "/configs/config.yaml"}).find("name: \"docker one\""), std::string::npos);
  EXPECT_EQ(execIn(id, {"stat", "-c", "%a", "/configs/.auth_token"}), "600\n");
  auto w = c.get("/workspaces/" + id).json();
  EXPECT_EQ(w["agent_card"]["name"], "docker one");
  EXPECT_EQ(w["url"].get<std::string>().rfind("http://127.0.0.1:", 0), 0u);
  auto log = c.get("/workspaces/" + id + "/boot-log");
  ASSERT_EQ(log.status, 200);
  EXPECT_NE(log.json()["output"].get<std::string>().find("registered with"), std::string::npos);
  EXPECT_EQ(log.json()["backend"], "docker");
}

TEST_F(DockerBackend, PauseStopsResumeAndRestartKeepVolumes) {
  auto server = startServer();
  auto c = server->client(kAdmin);
  const std::string id = c.post("/workspaces", {{"name", "keeper"}, {"tier", 2}}).json()["id"];
  ASSERT_EQ(waitForStatus(c, id, "online", 30s), "online");
  ASSERT_EQ(execIn(id, {"sh", "-c", "echo kept > /workspace/note && cat /workspace/note"}), "kept\n");

  auto paused = c.post("/workspaces/" + id + "/pause", json::object());
  ASSERT_EQ(paused.status, 200) << paused.body;
  EXPECT_EQ(paused.json()["paused_count"], 1);
  EXPECT_FALSE(containerExists(id)) << "pause stops the container";
  EXPECT_TRUE(volumeExists(docker::configVolumeName(id)));

  ASSERT_EQ(c.post("/workspaces/" + id + "/resume", json::object()).status, 200);
  ASSERT_EQ(waitForStatus(c, id, "online", 30s), "online");
  EXPECT_EQ(execIn(id, {"cat", "/workspace/note"}), "kept\n");

  // Restart takes the runtime from the database and comes back online with its volumes.
  ASSERT_EQ(c.request("PATCH", "/workspaces/" + id, json{{"runtime", "deepagents"}}.dump()).status, 200);
  auto restarted = c.post("/workspaces/" + id + "/restart", json::object());
  ASSERT_EQ(restarted.status, 200) << restarted.body;
  ASSERT_EQ(waitForStatus(c, id, "online", 30s), "online");
  EXPECT_EQ(execIn(id, {"cat", "/workspace/note"}), "kept\n");
  EXPECT_NE(execIn(id, {"cat", "/configs/config.yaml"}).find("runtime: \"deepagents\""), std::string::npos);
}

TEST_F(DockerBackend, DeleteLeavesNoContainerAndNoVolume) {
  auto server = startServer();
  auto c = server->client(kAdmin);
  const std::string id = c.post("/workspaces", {{"name", "doomed"}, {"tier", 2}}).json()["id"];
  ASSERT_EQ(waitForStatus(c, id, "online", 30s), "online");
  auto del = c.request("DELETE", "/workspaces/" + id);
  ASSERT_EQ(del.status, 200) << del.body;
  EXPECT_FALSE(containerExists(id));
  EXPECT_FALSE(volumeExists(docker::configVolumeName(id)));
  EXPECT_FALSE(volumeExists(docker::workspaceVolumeName(id)));
}

TEST_F(DockerBackend, HealthSweepRestartsAContainerRemovedBehindItsBack) {
  auto server = startServer({"--health-sweep-seconds", "1"});
  auto c = server->client(kAdmin);
  const std::string id = c.post("/workspaces", {{"name", "phoenix"}, {"tier", 2}}).json()["id"];
  ASSERT_EQ(waitForStatus(c, id, "online", 30s), "online");
  const std::string before = (*engine_->call("GET", "/containers/" + docker::containerName(id) + "/json"))["Id"];
  ASSERT_TRUE(engine_->call("DELETE", "/containers/" + docker::containerName(id) + "?force=true"));
  // The sweep marks it offline and restarts it; that can be quicker than any poll, so the
  // events tell the story.
  auto offlineSeen = [&] {
    for (const auto& e : c.get("/events/" + id).json())
      if (e["event_type"] == "WORKSPACE_OFFLINE") return true;
    return false;
  };
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (!offlineSeen() && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(100ms);
  EXPECT_TRUE(offlineSeen());
  EXPECT_EQ(waitForStatus(c, id, "online", 30s), "online");
  auto after = engine_->call("GET", "/containers/" + docker::containerName(id) + "/json");
  ASSERT_TRUE(after) << "restarted";
  EXPECT_NE((*after)["Id"], before);
}

TEST_F(DockerBackend, OrphanSweeperReapsLabelledContainersWithoutARow) {
  const std::string ghost = newUuid();
  const json spec{{"Image", "molecule-local/workspace-agent:dev"},
                  {"Entrypoint", {"/bin/sleep", "600"}},
                  {"Labels", {{"molecule.platform.managed", "true"}, {"molecule.platform.instance", instance_},
                              {"molecule.workspace.id", ghost}}},
                  {"HostConfig", {{"NetworkMode", "host"}}}};
  ASSERT_TRUE(engine_->call("POST", "/containers/create?name=" + docker::containerName(ghost), spec));
  ASSERT_TRUE(engine_->call("POST", "/containers/" + docker::containerName(ghost) + "/start"));
  ASSERT_TRUE(containerExists(ghost));
  auto server = startServer({"--orphan-sweep-seconds", "1"});
  const auto deadline = std::chrono::steady_clock::now() + 15s;
  while (containerExists(ghost) && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(200ms);
  EXPECT_FALSE(containerExists(ghost));
}

TEST_F(DockerBackend, EngineDownIsAClearErrorNotAHang) {
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
  auto created = c.post("/workspaces", {{"name", "nowhere"}});
  EXPECT_EQ(created.json()["status"], "failed");
}

}  // namespace
}  // namespace ws::test
