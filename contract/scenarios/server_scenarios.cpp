// Scenarios through the real workspace-server wired to the backend under test: the dispatchers,
// sweeps and routes on top of the Provisioner. They need workloads that run the agent, so the
// reference model reports them as not run.

#include <algorithm>
#include <filesystem>
#include <thread>

#include "support/backend_env.h"
#include "harness.h"
#include "core/util.h"

namespace ws::contract {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using test::kBackendAdmin;
using test::sawEvent;
using test::waitForStatus;

std::unique_ptr<test::ServerProcess> startServer(test::BackendEnv& env, std::vector<std::string> extra = {}) {
  auto args = env.serverArgs();
  args.insert(args.end(), {"--sweep-interval-ms", "200", "--plugins-dir", WS_SOURCE_DIR "/plugins"});
  args.insert(args.end(), extra.begin(), extra.end());
  return std::make_unique<test::ServerProcess>(args, env.serverEnv());
}

int countEvents(test::HttpClient& c, const std::string& id, const std::string& type) {
  const json events = c.get("/events/" + id).json();
  return static_cast<int>(std::count_if(events.begin(), events.end(), [&](const json& e) { return e["event_type"] == type; }));
}

/// Waits for the background restart that takes the workspace to its `n`th provisioning, and for
/// it to come back online.
bool restartedOnline(test::HttpClient& c, const std::string& id, int n) {
  return Bench::eventually([&] { return countEvents(c, id, "WORKSPACE_PROVISIONING") >= n; }) &&
         waitForStatus(c, id, "online", 30s) == "online";
}

std::string createOnline(test::HttpClient& c, const json& body) {
  auto created = c.post("/workspaces", body);
  if (created.status != 201) throw StepFailed("create: " + std::to_string(created.status) + " " + created.body);
  const std::string id = created.json()["id"];
  if (waitForStatus(c, id, "online", 30s) != "online") throw StepFailed("workspace " + id + " never came online");
  return id;
}

CONTRACT_SCENARIO(workspace_create, CreateComesOnlineWithConfigInjectedBeforeBoot) {
  auto& env = bench.server();
  auto server = startServer(env);
  auto c = server->client(kBackendAdmin);
  auto created = c.post("/workspaces", {{"name", "agent one"}, {"role", "tester"}, {"tier", 2}});
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string id = created.json()["id"];
  EXPECT_EQ(created.json()["status"], "provisioning");
  ASSERT_EQ(waitForStatus(c, id, "online", 30s), "online");
  ASSERT_TRUE(env.workloadUp(id));
  EXPECT_NE(env.execIn(id, {"cat", "/configs/config.yaml"}).find("name: \"agent one\""), std::string::npos);
  EXPECT_EQ(env.execIn(id, {"stat", "-c", "%a", "/configs/.auth_token"}), "600\n");
  const json w = c.get("/workspaces/" + id).json();
  EXPECT_EQ(w["agent_card"]["name"], "agent one") << "the agent read its config before registering";
}

CONTRACT_SCENARIO(ready_detection, RegistrationFlipsTheDefaultTierOnline) {
  // Tier 3 is the default; an engine that refuses privileged containers still runs it.
  auto server = startServer(bench.server());
  auto c = server->client(kBackendAdmin);
  auto created = c.post("/workspaces", {{"name", "default tier"}});
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string id = created.json()["id"];
  EXPECT_EQ(waitForStatus(c, id, "online", 30s), "online");
  EXPECT_EQ(c.get("/workspaces/" + id).json()["tier"], 3);
  EXPECT_TRUE(sawEvent(c, id, "WORKSPACE_ONLINE"));
}

CONTRACT_SCENARIO(workspace_pause_resume, PauseStopsTheWorkloadAndResumeBringsItBack) {
  auto& env = bench.server();
  auto server = startServer(env);
  auto c = server->client(kBackendAdmin);
  const std::string id = createOnline(c, {{"name", "keeper"}, {"tier", 2}});
  ASSERT_EQ(env.execIn(id, {"sh", "-c", "echo kept > /workspace/note && cat /workspace/note"}), "kept\n");
  auto paused = c.post("/workspaces/" + id + "/pause", json::object());
  ASSERT_EQ(paused.status, 200) << paused.body;
  EXPECT_EQ(paused.json()["paused_count"], 1);
  EXPECT_FALSE(env.workloadUp(id)) << "pause stops the workload";
  EXPECT_EQ(c.get("/workspaces/" + id + "/files").status, 409) << "files live in a running workload";
  ASSERT_EQ(c.post("/workspaces/" + id + "/resume", json::object()).status, 200);
  ASSERT_EQ(waitForStatus(c, id, "online", 30s), "online");
  if (env.keepsWorkspaceData()) {
    EXPECT_EQ(env.execIn(id, {"cat", "/workspace/note"}), "kept\n");
  }
}

CONTRACT_SCENARIO(workspace_restart, RestartTakesTheRuntimeFromTheDatabase) {
  auto& env = bench.server();
  auto server = startServer(env);
  auto c = server->client(kBackendAdmin);
  const std::string id = createOnline(c, {{"name", "restarter"}, {"tier", 2}});
  ASSERT_EQ(c.request("PATCH", "/workspaces/" + id, json{{"runtime", "deepagents"}}.dump()).status, 200);
  auto restarted = c.post("/workspaces/" + id + "/restart", json::object());
  ASSERT_EQ(restarted.status, 200) << restarted.body;
  ASSERT_EQ(waitForStatus(c, id, "online", 30s), "online");
  EXPECT_NE(env.execIn(id, {"cat", "/configs/config.yaml"}).find("runtime: \"deepagents\""), std::string::npos);
}

CONTRACT_SCENARIO(workspace_hibernate, HibernateStopsTheWorkloadAndKeepsTheWorkspace) {
  auto& env = bench.server();
  auto server = startServer(env);
  auto c = server->client(kBackendAdmin);
  const std::string id = createOnline(c, {{"name", "sleeper"}, {"tier", 2}});
  ASSERT_EQ(env.execIn(id, {"sh", "-c", "echo dream > /workspace/note && cat /workspace/note"}), "dream\n");
  auto r = c.post("/workspaces/" + id + "/hibernate", json::object());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(waitForStatus(c, id, "hibernated", 10s), "hibernated");
  EXPECT_FALSE(env.workloadUp(id));
  if (env.keepsWorkspaceData()) {
    EXPECT_TRUE(env.storageLeft(id)) << "hibernation keeps the workspace's storage";
  }
  // The next message wakes it: answered 503 with the time to retry, and provisioned again.
  auto message = c.post("/workspaces/" + id + "/a2a",
                        {{"jsonrpc", "2.0"}, {"id", 1}, {"method", "message/send"},
                         {"params", {{"message", {{"role", "user"}, {"parts", {{{"kind", "text"}, {"text", "wake up"}}}}}}}}});
  EXPECT_EQ(message.status, 503) << message.body;
  EXPECT_EQ(message.json()["waking"], true) << message.body;
  EXPECT_EQ(waitForStatus(c, id, "online", 30s), "online") << "a hibernated workspace wakes up on the next message";
  if (env.keepsWorkspaceData()) {
    EXPECT_EQ(env.execIn(id, {"cat", "/workspace/note"}), "dream\n");
  }
}

CONTRACT_SCENARIO(workspace_delete, DeleteLeavesNothingBehind) {
  auto& env = bench.server();
  auto server = startServer(env);
  auto c = server->client(kBackendAdmin);
  const std::string id = createOnline(c, {{"name", "doomed"}, {"tier", 2}});
  auto del = c.request("DELETE", "/workspaces/" + id);
  ASSERT_EQ(del.status, 200) << del.body;
  EXPECT_TRUE(env.workloadGone(id)) << "gone, not merely stopped";
  EXPECT_FALSE(env.storageLeft(id));
}

CONTRACT_SCENARIO(liveness_probe, HealthSweepRestartsAWorkloadRemovedBehindItsBack) {
  auto& env = bench.server();
  auto server = startServer(env, {"--health-sweep-seconds", "1"});
  auto c = server->client(kBackendAdmin);
  const std::string id = createOnline(c, {{"name", "phoenix"}, {"tier", 2}});
  env.killBehindItsBack(id);
  // The sweep marks it offline and restarts it, which can be quicker than a poll: the events
  // tell the story.
  EXPECT_TRUE(Bench::eventually([&] { return sawEvent(c, id, "WORKSPACE_OFFLINE"); }, 30s));
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(waitForStatus(c, id, "online", 30s), "online");
  EXPECT_TRUE(env.workloadUp(id));
}

CONTRACT_SCENARIO(orphan_sweep, SweeperReapsWorkloadsWithoutAWorkspace) {
  auto& env = bench.server();
  const std::string ghost = newUuid();
  env.startOrphan(ghost);
  ASSERT_TRUE(env.workloadUp(ghost));
  auto server = startServer(env, {"--orphan-sweep-seconds", "1"});
  auto c = server->client(kBackendAdmin);
  // A live workspace beside the orphan: the sweep must reap only what has no live row.
  const std::string live = c.post("/workspaces", {{"name", "keeper"}, {"tier", 2}}).json()["id"];
  ASSERT_EQ(waitForStatus(c, live, "online", 60s), "online");
  EXPECT_TRUE(Bench::eventually([&] { return !env.workloadUp(ghost); }, 20s));
  std::this_thread::sleep_for(2500ms);  // two more sweeps
  EXPECT_TRUE(env.workloadUp(live)) << "the sweep reaped a live workspace";
  EXPECT_EQ(c.get("/workspaces/" + live).json()["status"], "online");
}

CONTRACT_SCENARIO(org_import, TenWorkspaceTreeComesOnline) {
  auto server = startServer(bench.server());
  auto c = server->client(kBackendAdmin);
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
  const json created = imported.json();
  ASSERT_EQ(created["count"], 10);
  ASSERT_EQ(created["workspaces"].size(), 10u) << created;
  for (const auto& w : created["workspaces"]) EXPECT_EQ(waitForStatus(c, w["id"], "online", 60s), "online") << w;
  const json all = c.get("/workspaces").json();
  int children = 0;
  for (const auto& w : all) children += !w["parent_id"].is_null();
  EXPECT_EQ(children, 8);
}

CONTRACT_SCENARIO(workspace_templates, TemplateFilesReachConfigsAtCreateAndRestart) {
  auto& env = bench.server();
  const std::filesystem::path templates = std::filesystem::temp_directory_path() / ("ws-contract-templates-" + newUuid());
  struct Cleanup {
    std::filesystem::path dir;
    ~Cleanup() { std::filesystem::remove_all(dir); }
  } cleanup{templates};
  auto server = startServer(env, {"--templates-dir", templates.string()});
  auto c = server->client(kBackendAdmin);
  const json files = {{"config.yaml", "name: Reviewer\nruntime: deepagents\nshared_context: [prompts/style.md]\nreview_depth: 3\n"},
                      {"prompts/style.md", "be kind\n"}};
  auto imported = c.post("/templates/import", {{"name", "Reviewer"}, {"files", files}});
  ASSERT_EQ(imported.status, 201) << imported.body;
  const std::string id = createOnline(c, {{"name", "rev one"}, {"tier", 2}, {"template", "reviewer"}});
  EXPECT_EQ(env.execIn(id, {"cat", "/configs/prompts/style.md"}), "be kind\n");
  const std::string config = env.execIn(id, {"cat", "/configs/config.yaml"});
  EXPECT_NE(config.find("name: rev one"), std::string::npos) << "the workspace's identity: " << config;
  EXPECT_NE(config.find("runtime: deepagents"), std::string::npos) << "the template's runtime as the default";
  EXPECT_NE(config.find("review_depth: 3"), std::string::npos) << "the template's own settings";
  EXPECT_EQ(c.get("/workspaces/" + id).json()["agent_card"]["name"], "rev one") << "the agent read that config";
  EXPECT_EQ(c.get("/workspaces/" + id + "/shared-context").json(),
            json::parse(R"([{"path":"prompts/style.md","content":"be kind\n"}])"));
  // Every provision delivers the template again.
  ASSERT_EQ(env.execIn(id, {"sh", "-c", "rm /configs/prompts/style.md && echo gone"}), "gone\n");
  ASSERT_EQ(c.post("/workspaces/" + id + "/restart", json::object()).status, 200);
  ASSERT_TRUE(restartedOnline(c, id, 2));
  EXPECT_EQ(env.execIn(id, {"cat", "/configs/prompts/style.md"}), "be kind\n");
  // A restart may name another template: its files from then on.
  auto other = c.post("/templates/import", {{"name", "Editor"}, {"files", {{"notes.md", "edit\n"}}}});
  ASSERT_EQ(other.status, 201) << other.body;
  ASSERT_EQ(c.post("/workspaces/" + id + "/restart", json{{"template", "editor"}}).status, 200);
  ASSERT_TRUE(restartedOnline(c, id, 3));
  EXPECT_EQ(env.execIn(id, {"cat", "/configs/notes.md"}), "edit\n");
  EXPECT_EQ(c.post("/workspaces/" + id + "/restart", json{{"template", "nowhere"}}).status, 400);
}

CONTRACT_SCENARIO(team_collapse, CollapseStopsEveryChild) {
  auto& env = bench.server();
  auto server = startServer(env);
  auto c = server->client(kBackendAdmin);
  const std::string lead = createOnline(c, {{"name", "lead"}, {"tier", 2}});
  auto expanded = c.post("/workspaces/" + lead + "/expand",
                         {{"sub_workspaces", {{{"name", "a"}}, {{"name", "b"}, {"role", "reviewer"}}, {{"name", "c"}}}}});
  ASSERT_EQ(expanded.status, 200) << expanded.body;
  std::vector<std::string> kids;
  const json listed = expanded.json();
  for (const auto& k : listed["children"]) kids.push_back(k["id"]);
  ASSERT_EQ(kids.size(), 3u);
  for (const auto& k : kids) ASSERT_EQ(waitForStatus(c, k, "online", 30s), "online");
  for (const auto& k : kids) ASSERT_TRUE(env.workloadUp(k));
  auto collapsed = c.post("/workspaces/" + lead + "/collapse", json::object());
  ASSERT_EQ(collapsed.status, 200) << collapsed.body;
  EXPECT_EQ(collapsed.json()["removed"].size(), 3u);
  for (const auto& k : kids) {
    EXPECT_TRUE(env.workloadGone(k)) << k;
    EXPECT_FALSE(env.storageLeft(k)) << k;
    EXPECT_EQ(c.get("/workspaces/" + k).status, 404);
  }
}

CONTRACT_SCENARIO(terminal_session, TerminalRouteRunsAShellInTheWorkspace) {
  auto server = startServer(bench.server());
  auto c = server->client(kBackendAdmin);
  const std::string id = createOnline(c, {{"name", "shell"}, {"tier", 2}});
  const std::map<std::string, std::string> admin{{"Authorization", "Bearer " + kBackendAdmin}};
  const std::string out = test::terminalExchange(server->port(), "/workspaces/" + id + "/terminal", admin,
                                                 "cat /configs/config.yaml; echo done-$((6*7))\n", "done-42", 15s);
  EXPECT_NE(out.find("done-42"), std::string::npos) << out;
  EXPECT_NE(out.find("name: \"shell\""), std::string::npos) << "the shell runs inside the workspace: " << out;
  EXPECT_THROW(test::terminalExchange(server->port(), "/workspaces/" + id + "/terminal", {}, "true\n", "x", 2s),
               std::runtime_error)
      << "no token, no shell";
  EXPECT_EQ(c.get("/workspaces/" + id + "/terminal").status, 426) << "a plain GET is told to upgrade";
}

CONTRACT_SCENARIO(boot_log, BootLogAndConsoleRoutesServeTheBackendOutput) {
  auto& env = bench.server();
  auto server = startServer(env);
  auto c = server->client(kBackendAdmin);
  const std::string id = createOnline(c, {{"name", "talker"}, {"tier", 2}});
  auto log = c.get("/workspaces/" + id + "/boot-log");
  ASSERT_EQ(log.status, 200) << log.body;
  EXPECT_NE(log.json()["output"].get<std::string>().find("registered with"), std::string::npos) << log.body;
  auto console = c.get("/workspaces/" + id + "/console");
  ASSERT_EQ(console.status, 200) << console.body;
  EXPECT_NE(console.json()["output"].get<std::string>().find("registered"), std::string::npos);
}

CONTRACT_SCENARIO(files_api, WriteListReadReplaceAndDeleteFiles) {
  auto server = startServer(bench.server());
  auto c = server->client(kBackendAdmin);
  const std::string id = createOnline(c, {{"name", "filer"}, {"tier", 2}});
  const std::string files = "/workspaces/" + id + "/files";

  auto saved = c.request("PUT", files + "/notes/todo.md", json{{"content", "- ship it\n"}}.dump());
  ASSERT_EQ(saved.status, 200) << saved.body;
  EXPECT_EQ(saved.json(), json({{"status", "saved"}, {"path", "notes/todo.md"}}));

  const json listed = c.get(files + "?depth=2").json();
  SCOPED_TRACE(listed.dump());
  auto has = [&](const json& entry) { return std::find(listed.begin(), listed.end(), entry) != listed.end(); };
  EXPECT_TRUE(has({{"path", "notes"}, {"size", 0}, {"dir", true}}));
  EXPECT_TRUE(has({{"path", "notes/todo.md"}, {"size", 10}, {"dir", false}}));
  EXPECT_EQ(c.get(files + "?path=notes").json(), json::parse(R"([{"path":"notes/todo.md","size":10,"dir":false}])"));

  const json read = c.get(files + "/notes/todo.md").json();
  EXPECT_EQ(read, json({{"path", "notes/todo.md"}, {"content", "- ship it\n"}, {"size", 10}}));

  auto replaced = c.request("PUT", files + "?root=/workspace", json{{"files", {{"a.txt", "A"}, {"src/b.txt", "B"}}}}.dump());
  ASSERT_EQ(replaced.status, 200) << replaced.body;
  EXPECT_EQ(replaced.json()["status"], "replaced");
  EXPECT_EQ(replaced.json()["files"], 2);
  EXPECT_EQ(c.get(files + "/src/b.txt?root=/workspace").json()["content"], "B");

  auto deleted = c.request("DELETE", files + "/notes");
  ASSERT_EQ(deleted.status, 200) << deleted.body;
  EXPECT_EQ(c.get(files + "/notes/todo.md").status, 404);
  EXPECT_EQ(c.get(files + "/config.yaml").json()["content"].get<std::string>().find("name: \"filer\""), 0u);

  // Hostile input changes nothing.
  EXPECT_EQ(c.get(files + "/..%2F..%2Fetc%2Fpasswd").status, 400);
  EXPECT_EQ(c.request("DELETE", files + "/a/../..").status, 400);
  EXPECT_EQ(c.get(files + "?root=/etc").status, 400);
  EXPECT_EQ(c.get(files + "?depth=9").status, 400);
  EXPECT_EQ(c.request("PUT", files + "/x.txt", "{\"content\": 5}").status, 400);
  EXPECT_EQ(c.get(files + "/nothing-here.txt").status, 404);
  EXPECT_EQ(c.get("/workspaces/" + newUuid() + "/files").status, 404);
  EXPECT_EQ(c.get(files + "/src?root=/workspace").status, 400) << "a directory is not a file";
}

CONTRACT_SCENARIO(secrets_crud, SecretsReachTheWorkloadAndAChangeRestartsIt) {
  auto& env = bench.server();
  auto server = startServer(env);
  auto c = server->client(kBackendAdmin);
  const std::string id = createOnline(c, {{"name", "secretive"}, {"tier", 2}, {"secrets", {{"OPENAI_API_KEY", "sk-at-create"}}}});
  auto env_file = [&] { return env.execIn(id, {"cat", "/configs/.env"}); };
  EXPECT_NE(env_file().find("OPENAI_API_KEY=sk-at-create"), std::string::npos) << env_file();

  ASSERT_EQ(c.post("/settings/secrets", {{"key", "GEMINI_API_KEY"}, {"value", "from-global"}}).status, 200);
  auto saved = c.post("/workspaces/" + id + "/secrets", {{"key", "ANTHROPIC_API_KEY"}, {"value", "sk-later"}});
  ASSERT_EQ(saved.status, 200) << saved.body;
  EXPECT_TRUE(Bench::eventually([&] {
    const std::string now = env_file();
    return now.find("ANTHROPIC_API_KEY=sk-later") != std::string::npos && now.find("GEMINI_API_KEY=from-global") != std::string::npos;
  })) << "the change restarted the workspace with every secret: " << env_file();
  EXPECT_EQ(waitForStatus(c, id, "online", 30s), "online");
  EXPECT_EQ(c.get("/workspaces/" + id).body.find("sk-"), std::string::npos) << "values never leave through the API";
}

CONTRACT_SCENARIO(plugins_install, InstalledPluginsSurviveRestartsUntilUninstalled) {
  auto& env = bench.server();
  auto server = startServer(env);
  auto c = server->client(kBackendAdmin);
  const std::string id = createOnline(c, {{"name", "plugged"}, {"tier", 2}});
  const std::string plugins = "/workspaces/" + id + "/plugins";
  auto file = [&](const std::string& path) { return env.execIn(id, {"cat", "/configs/plugins/echo-skill/" + path}); };

  const json registry = c.get("/plugins").json();
  ASSERT_FALSE(registry.empty());
  EXPECT_EQ(registry[0]["name"], "echo-skill");

  auto installed = c.post(plugins, {{"source", "local://echo-skill"}});
  ASSERT_EQ(installed.status, 200) << installed.body;
  EXPECT_EQ(installed.json(), json({{"status", "installed"}, {"plugin", "echo-skill"}, {"source", "local://echo-skill"}}));
  // The install restarts the workspace; the plugin comes back with the config, even on a
  // fresh instance.
  ASSERT_TRUE(restartedOnline(c, id, 2));
  EXPECT_NE(file("plugin.yaml").find("name: echo-skill"), std::string::npos) << file("plugin.yaml");
  EXPECT_NE(file("skills/echo/SKILL.md").find("# echo"), std::string::npos);
  const json listed = c.get(plugins).json();
  ASSERT_EQ(listed.size(), 1u) << listed;
  EXPECT_EQ(listed[0]["version"], "1.0.0");
  EXPECT_EQ(listed[0]["source"], "local://echo-skill");

  // Hostile or impossible installs change nothing.
  EXPECT_EQ(c.post(plugins, {{"source", "github://someone/plugin#main"}}).status, 422);
  EXPECT_EQ(c.post(plugins, {{"source", "local://../etc"}}).status, 400);
  EXPECT_EQ(c.post(plugins, {{"source", "local://no-such-plugin"}}).status, 404);
  EXPECT_EQ(c.post(plugins, {{"source", "local://echo-skill"}, {"sha256", std::string(64, '0')}}).status, 422);
  EXPECT_EQ(c.post(plugins, {{"source", 5}}).status, 400);
  EXPECT_EQ(c.get(plugins).json().size(), 1u);

  auto removed = c.request("DELETE", plugins + "/echo-skill");
  ASSERT_EQ(removed.status, 200) << removed.body;
  ASSERT_TRUE(restartedOnline(c, id, 3));
  EXPECT_EQ(file("plugin.yaml").find("name: echo-skill"), std::string::npos) << "gone after the restart too";
  EXPECT_TRUE(c.get(plugins).json().empty());
  EXPECT_EQ(c.request("DELETE", plugins + "/echo-skill").status, 404);
}

CONTRACT_SCENARIO(a2a_forward, MessagesReachTheAgentAndComeBack) {
  auto& env = bench.server();
  auto server = startServer(env);
  auto c = server->client(kBackendAdmin);
  const std::string asker = createOnline(c, {{"name", "asker"}, {"tier", 2}});
  const std::string echoer = createOnline(c, {{"name", "echoer"}, {"tier", 2}});
  const std::string a2a = "/workspaces/" + echoer + "/a2a";
  const json send{{"method", "message/send"},
                  {"params", {{"message", {{"role", "user"}, {"parts", {{{"kind", "text"}, {"text", "hello across backends"}}}}}}}}};

  auto canvas = c.post(a2a, send);
  ASSERT_EQ(canvas.status, 200) << canvas.body;
  EXPECT_EQ(canvas.json()["jsonrpc"], "2.0") << "wrapped as JSON-RPC on the way";
  EXPECT_NE(canvas.body.find("hello across backends"), std::string::npos) << canvas.body;

  const std::string token = c.post("/workspaces/" + asker + "/tokens", json::object()).json()["auth_token"];
  auto peer = c.request("POST", a2a, send.dump(), {{"X-Workspace-ID", asker}, {"Authorization", "Bearer " + token}});
  ASSERT_EQ(peer.status, 200) << peer.body;
  EXPECT_NE(peer.body.find("hello across backends"), std::string::npos);
  EXPECT_EQ(c.request("POST", a2a, send.dump(), {{"X-Workspace-ID", asker}, {"Authorization", "Bearer wrong"}}).status, 401);
  EXPECT_EQ(c.request("POST", a2a, send.dump(), {{"X-Workspace-ID", "system:cron"}}).status, 403);
  EXPECT_EQ(c.request("POST", a2a, "[1, 2]").status, 400);
  const json received = c.get("/workspaces/" + echoer + "/activity?type=a2a_receive").json();
  ASSERT_EQ(received.size(), 2u) << received;
  EXPECT_EQ(received[0]["source_id"], asker);

  // A workload gone behind the server's back: the proxy notices, says so, and restarts it.
  env.killBehindItsBack(echoer);
  auto gone = c.post(a2a, send);
  EXPECT_EQ(gone.status, 503) << gone.body;
  EXPECT_EQ(gone.json().value("restarting", false), true) << gone.body;
  EXPECT_EQ(waitForStatus(c, echoer, "online", 30s), "online");
  EXPECT_EQ(c.post(a2a, send).status, 200);
}

CONTRACT_SCENARIO(budget_enforcement, ExhaustedBudgetsStopA2aTraffic) {
  auto server = startServer(bench.server());
  auto c = server->client(kBackendAdmin);
  const std::string id = createOnline(c, {{"name", "thrifty"}, {"tier", 2}});
  const std::string budget = "/workspaces/" + id + "/budget";
  const json send{{"method", "message/send"}, {"params", {{"message", {{"parts", {{{"kind", "text"}, {"text", "ping"}}}}}}}}};
  EXPECT_EQ(c.get(budget).json(), json({{"budget_limit", nullptr}, {"monthly_spend", 0}, {"budget_remaining", nullptr}}));
  EXPECT_EQ(c.post("/workspaces/" + id + "/a2a", send).status, 200);

  auto spent = c.request("PATCH", budget, json{{"budget_limit", 0}}.dump());
  ASSERT_EQ(spent.status, 200) << spent.body;
  EXPECT_EQ(spent.json()["budget_remaining"], 0);
  auto refused = c.post("/workspaces/" + id + "/a2a", send);
  EXPECT_EQ(refused.status, 402) << refused.body;
  EXPECT_EQ(refused.json()["error"], "workspace budget limit exceeded");

  EXPECT_EQ(c.request("PATCH", budget, json{{"budget_limit", -1}}.dump()).status, 400);
  EXPECT_EQ(c.request("PATCH", budget, R"({"budget_limit": "lots"})").status, 400);
  ASSERT_EQ(c.request("PATCH", budget, json{{"budget_limit", 5000}}.dump()).status, 200);
  EXPECT_EQ(c.get(budget).json()["budget_remaining"], 5000);
  EXPECT_EQ(c.post("/workspaces/" + id + "/a2a", send).status, 200);
}

CONTRACT_SCENARIO(a2a_envelope_enrichment, TheTargetLearnsWhoIsCalling) {
  auto server = startServer(bench.server());
  auto c = server->client(kBackendAdmin);
  const std::string asker = createOnline(c, {{"name", "asker"}, {"role", "planner"}, {"tier", 2}});
  const std::string echoer = createOnline(c, {{"name", "echoer"}, {"tier", 2}});
  const std::string token = c.post("/workspaces/" + asker + "/tokens", json::object()).json()["auth_token"];
  const json send{{"method", "message/send"},
                  {"params", {{"message", {{"parts", {{{"kind", "text"}, {"text", "who am I?"}}}}}}}}};
  auto r = c.request("POST", "/workspaces/" + echoer + "/a2a", send.dump(),
                     {{"X-Workspace-ID", asker}, {"Authorization", "Bearer " + token}});
  ASSERT_EQ(r.status, 200) << r.body;
  const json metadata = r.json()["result"]["metadata"];  // the echo agent returns what it received
  EXPECT_EQ(metadata["peer_id"], asker) << r.body;
  EXPECT_EQ(metadata["peer_name"], "asker");
  EXPECT_EQ(metadata["peer_role"], "planner");
  EXPECT_NE(metadata.value("agent_card_url", "").find("/registry/discover/" + asker), std::string::npos);
  auto canvas = c.post("/workspaces/" + echoer + "/a2a", send);
  ASSERT_EQ(canvas.status, 200) << canvas.body;
  EXPECT_FALSE(canvas.json()["result"].contains("metadata")) << "the canvas is nobody's peer";
}

CONTRACT_SCENARIO(memory_seed, InitialMemoriesArriveWithTheWorkspace) {
  auto server = startServer(bench.server());
  auto c = server->client(kBackendAdmin);
  const std::string id = createOnline(
      c, {{"name", "rememberer"}, {"tier", 2},
          {"initial_memories", {{{"content", "the customer prefers email"}}, {{"content", "team rota"}, {"scope", "team"}}}}});
  const json memories = c.get("/workspaces/" + id + "/memories").json();
  ASSERT_EQ(memories.size(), 2u) << memories;
  for (const auto& m : memories) EXPECT_EQ(m["namespace"], "workspace:" + id);
  EXPECT_EQ(c.get("/workspaces/" + id + "/memories?scope=TEAM").json()[0]["content"], "team rota");
}

CONTRACT_SCENARIO(secrets_redaction, CredentialsNeverReachStoredMemories) {
  auto server = startServer(bench.server());
  auto c = server->client(kBackendAdmin);
  const std::string id = createOnline(
      c, {{"name", "careful"}, {"tier", 2}, {"initial_memories", {{{"content", "ANTHROPIC_API_KEY=sk-ant-0123456789abcdefXYZ"}}}}});
  ASSERT_EQ(c.post("/workspaces/" + id + "/memories", {{"content", "call it with Bearer eyJhbGciOi.payload.sig"}}).status, 201);
  const std::string body = c.get("/workspaces/" + id + "/memories").body;
  EXPECT_EQ(body.find("sk-ant"), std::string::npos) << body;
  EXPECT_EQ(body.find("eyJhbGciOi"), std::string::npos) << body;
  EXPECT_NE(body.find("[REDACTED:ENV_SECRET]"), std::string::npos) << body;
  EXPECT_NE(body.find("[REDACTED:BEARER]"), std::string::npos) << body;
  // What was stored, not only what the API shows: the database itself.
  const std::string stored = server->storedBytes();
  EXPECT_EQ(stored.find("sk-ant-0123456789"), std::string::npos) << "a credential reached the database file";
  EXPECT_EQ(stored.find("eyJhbGciOi"), std::string::npos) << "a credential reached the database file";
  EXPECT_NE(stored.find("[REDACTED:ENV_SECRET]"), std::string::npos);
}

CONTRACT_SCENARIO(schedule_execution, DueSchedulesReachTheAgent) {
  auto server = startServer(bench.server());
  auto c = server->client(kBackendAdmin);
  const std::string id = createOnline(c, {{"name", "punctual"}, {"tier", 2}});
  const std::string schedules = "/workspaces/" + id + "/schedules";
  auto created = c.post(schedules, {{"name", "every minute"}, {"cron_expr", "* * * * *"}, {"prompt", "tick\r\n"}});
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string sid = created.json()["id"];
  EXPECT_FALSE(created.json()["next_run_at"].get<std::string>().empty());
  EXPECT_EQ(c.post(schedules, {{"name", "every minute"}, {"cron_expr", "* * * * *"}, {"prompt", "x"}}).status, 409);
  EXPECT_EQ(c.post(schedules, {{"name", "bad"}, {"cron_expr", "61 * * * *"}, {"prompt", "x"}}).status, 400);
  EXPECT_EQ(c.post(schedules, {{"name", "elsewhere"}, {"cron_expr", "* * * * *"}, {"prompt", "x"}, {"timezone", "Mars/Base"}}).status, 400);
  EXPECT_EQ(c.post(schedules, {{"name", "empty"}, {"cron_expr", "* * * * *"}, {"prompt", ""}}).status, 400);
  EXPECT_EQ(c.post(schedules + "/" + sid + "/run", json::object()).json(),
            json({{"status", "fired"}, {"workspace_id", id}, {"prompt", "tick\n"}}));

  // The minute turns within 60 s; the sweeper sends the prompt to the agent and logs the run.
  json history;
  EXPECT_TRUE(Bench::eventually(
      [&] {
        history = c.get(schedules + "/" + sid + "/history").json();
        return !history.empty();
      },
      75s));
  ASSERT_FALSE(history.empty());
  EXPECT_EQ(history[0]["status"], "ok") << history;
  const json listed = c.get(schedules).json();
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_GE(listed[0]["run_count"].get<int>(), 1);
  EXPECT_EQ(listed[0]["last_status"], "ok");
  ASSERT_EQ(c.request("PATCH", schedules + "/" + sid, json{{"enabled", false}}.dump()).status, 200);
  EXPECT_TRUE(c.get(schedules).json()[0]["next_run_at"].is_null());
  EXPECT_EQ(c.request("DELETE", schedules + "/" + sid).status, 200);
  EXPECT_EQ(c.request("DELETE", schedules + "/" + sid).status, 404);
}

// Activity rows are database-driven; the scenarios prove it holds with each backend wired.
class ActivityLog {
 public:
  explicit ActivityLog(test::BackendEnv& env) : server_(startServer(env)), c_(server_->client(kBackendAdmin)) {
    id_ = c_.post("/workspaces", {{"name", "logger"}, {"tier", 2}}).json()["id"];
    peer_ = c_.post("/workspaces", {{"name", "peer"}, {"tier", 2}}).json()["id"];
  }
  void log(const json& body) {
    std::this_thread::sleep_for(2ms);  // distinct millisecond timestamps, so paging has a boundary
    auto r = c_.post("/workspaces/" + id_ + "/activity", body);
    if (r.status != 200) throw StepFailed("log activity: " + r.body);
  }
  json list(const std::string& query) {
    auto r = c_.get("/workspaces/" + id_ + "/activity" + query);
    if (r.status != 200) throw StepFailed("list activity" + query + ": " + r.body);
    return r.json();
  }
  const std::string& id() const { return id_; }
  const std::string& peer() const { return peer_; }

 private:
  std::unique_ptr<test::ServerProcess> server_;
  test::HttpClient c_;
  std::string id_, peer_;
};

CONTRACT_SCENARIO(activity_before_ts, PagesStrictlyOlderRows) {
  ActivityLog a(bench.server());
  for (int i = 0; i < 6; ++i) a.log({{"activity_type", "task_update"}, {"summary", "step " + std::to_string(i)}});
  const json page = a.list("?limit=4");
  ASSERT_EQ(page.size(), 4u);
  const std::string oldest = page[3]["created_at"];
  const json rest = a.list("?before_ts=" + oldest);
  EXPECT_EQ(rest.size(), 2u);
  for (const auto& row : rest) EXPECT_LT(row["created_at"].get<std::string>(), oldest);
}

CONTRACT_SCENARIO(activity_peer_filter, FiltersByPeer) {
  ActivityLog a(bench.server());
  a.log({{"activity_type", "a2a_send"}, {"source_id", a.id()}, {"target_id", a.peer()}, {"summary", "to peer"}});
  a.log({{"activity_type", "a2a_receive"}, {"source_id", a.id()}, {"summary", "reply"}});
  a.log({{"activity_type", "agent_log"}, {"summary", "note"}});
  const json rows = a.list("?peer_id=" + a.peer());
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0]["summary"], "to peer");
}

}  // namespace
}  // namespace ws::contract
