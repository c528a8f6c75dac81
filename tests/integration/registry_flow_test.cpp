// The agent's whole life over HTTP: create -> register -> heartbeat -> degraded -> online ->
// silence -> offline -> delete, against the real server binary.

#include <gtest/gtest.h>

#include <algorithm>
#include <thread>

#include "support/server_process.h"

namespace ws::test {
namespace {

using nlohmann::json;

const std::string kAdmin = "integration-admin-token";

std::vector<std::string> eventTypes(HttpClient& a, const std::string& id) {
  std::vector<std::string> out;
  for (const auto& e : a.get("/events/" + id).json()) out.push_back(e["event_type"]);
  return out;
}

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

TEST(RegistryFlow, RegisterHeartbeatDegradeRecoverDelete) {
  ServerProcess server({"--allow-loopback-agents"}, {{"ADMIN_TOKEN", kAdmin}});
  auto c = server.client();
  auto a = server.client(kAdmin);

  auto created = a.post("/workspaces", {{"name", "alpha"}, {"role", "researcher"}});
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string id = created.json()["id"];
  // No backend is wired: the workspace is kept, marked failed, and says why.
  EXPECT_EQ(created.json()["status"], "failed");
  auto one = c.get("/workspaces/" + id).json();
  EXPECT_EQ(one["status"], "failed");

  auto reg = c.post("/registry/register", {{"id", id}, {"url", "http://127.0.0.1:9"}, {"agent_card", {{"name", "alpha"}}}});
  ASSERT_EQ(reg.status, 200) << reg.body;
  const std::string token = reg.json()["auth_token"];
  ASSERT_EQ(token.size(), 43u);  // 32 bytes, base64url without padding
  EXPECT_EQ(c.get("/workspaces/" + id).json()["status"], "online");

  // A second registration does not mint another token, and now needs the first one.
  json again{{"id", id}, {"url", "http://127.0.0.1:9"}, {"agent_card", {{"name", "alpha"}}}};
  EXPECT_EQ(c.post("/registry/register", again).status, 401);
  auto reg2 = c.post("/registry/register", again, token);
  ASSERT_EQ(reg2.status, 200);
  EXPECT_FALSE(reg2.json().contains("auth_token"));

  auto beat = [&](json extra) {
    extra["workspace_id"] = id;
    return c.post("/registry/heartbeat", extra, token);
  };
  ASSERT_EQ(beat({{"error_rate", 0.0}, {"active_tasks", 1}, {"current_task", "reading"}}).status, 200);
  EXPECT_EQ(c.get("/workspaces/" + id).json()["active_tasks"], 1);

  ASSERT_EQ(beat({{"error_rate", 0.6}, {"sample_error", "boom"}}).status, 200);
  EXPECT_EQ(c.get("/workspaces/" + id).json()["status"], "degraded");
  ASSERT_EQ(beat({{"error_rate", 0.3}}).status, 200);  // between thresholds: stays degraded
  EXPECT_EQ(c.get("/workspaces/" + id).json()["status"], "degraded");
  ASSERT_EQ(beat({{"error_rate", 0.05}}).status, 200);
  EXPECT_EQ(c.get("/workspaces/" + id).json()["status"], "online");
  ASSERT_EQ(beat({{"error_rate", 0.0}, {"runtime_state", "wedged"}}).status, 200);
  EXPECT_EQ(c.get("/workspaces/" + id).json()["status"], "degraded");
  ASSERT_EQ(beat({{"error_rate", 0.0}}).status, 200);
  EXPECT_EQ(c.get("/workspaces/" + id).json()["status"], "online");
  // An agent that manages its own status is not degraded by its error rate.
  ASSERT_EQ(beat({{"error_rate", 0.9}, {"runtime_metadata", {{"capabilities", {{"status_mgmt", true}}}}}}).status, 200);
  EXPECT_EQ(c.get("/workspaces/" + id).json()["status"], "online");

  const auto types = eventTypes(a, id);
  for (const char* t : {"WORKSPACE_PROVISIONING", "WORKSPACE_PROVISION_FAILED", "WORKSPACE_ONLINE", "WORKSPACE_DEGRADED"})
    EXPECT_TRUE(contains(types, t)) << t;

  auto state = c.get("/workspaces/" + id + "/state", token);
  ASSERT_EQ(state.status, 200);
  EXPECT_EQ(state.json()["status"], "online");

  auto del = a.request("DELETE", "/workspaces/" + id);
  ASSERT_EQ(del.status, 200) << del.body;
  EXPECT_EQ(del.json()["status"], "removed");
  EXPECT_EQ(c.get("/workspaces/" + id).status, 404);
  EXPECT_EQ(c.get("/workspaces/" + id + "/state", token).status, 401) << "its token died with it";
  auto gone = a.get("/workspaces/" + id + "/state");
  EXPECT_EQ(gone.status, 404);
  EXPECT_EQ(gone.json()["deleted"], true);
  // removed is terminal: neither heartbeat nor register brings it back.
  EXPECT_EQ(beat({{"error_rate", 0.0}}).status, 404);  // its token died with it; the row is gone
  EXPECT_EQ(c.post("/registry/register", again).status, 404);
  EXPECT_TRUE(contains(eventTypes(a, id), "WORKSPACE_REMOVED"));
}

// The agent's smoke gate reports a wedged runtime; the reason is the workspace's last error,
// recorded and broadcast, and a heartbeat without the wedge brings it back.
TEST(RegistryFlow, AWedgedRuntimeDegradesWithItsReasonAndRecoversWhenCleared) {
  ServerProcess server({"--allow-loopback-agents"}, {{"ADMIN_TOKEN", kAdmin}});
  auto c = server.client();
  auto a = server.client(kAdmin);
  const std::string id = a.post("/workspaces", {{"name", "wedgy"}}).json()["id"];
  const std::string token =
      c.post("/registry/register", {{"id", id}, {"url", "http://localhost:7002"}, {"agent_card", json::object()}}).json()["auth_token"];
  auto hub = LiveClient::socket(server.port(), "/ws", {{"Authorization", "Bearer " + kAdmin}});
  auto beat = [&](json extra) {
    extra["workspace_id"] = id;
    return c.post("/registry/heartbeat", extra, token);
  };
  const std::string why = "runtime smoke check failed: no answer to a trivial execute within 2000 ms; restart the workspace";
  auto listed = [&] {
    for (const auto& w : a.get("/workspaces").json())
      if (w["id"] == id) return w;
    return json();
  };

  ASSERT_EQ(beat({{"runtime_state", "wedged"}, {"sample_error", why}}).status, 200);
  EXPECT_EQ(listed()["status"], "degraded");
  EXPECT_EQ(listed()["last_sample_error"], why);
  EXPECT_EQ(c.get("/workspaces/" + id, token).json()["last_sample_error"], why) << "the workspace sees why";
  EXPECT_EQ(a.get("/workspaces/" + id).json()["last_sample_error"], why);
  EXPECT_FALSE(c.get("/workspaces/" + id).json().contains("last_sample_error")) << "not on the open route";
  const json events = a.get("/events/" + id).json();
  const auto degraded = std::find_if(events.begin(), events.end(), [](const json& e) { return e["event_type"] == "WORKSPACE_DEGRADED"; });
  ASSERT_NE(degraded, events.end()) << events;
  EXPECT_EQ((*degraded)["payload"], json({{"runtime_state", "wedged"}, {"sample_error", why}}));
  auto live = hub.waitFor([&](const json& m) { return m["event"] == "WORKSPACE_DEGRADED"; }, std::chrono::seconds(5));
  ASSERT_TRUE(live) << "no WORKSPACE_DEGRADED on /ws";
  EXPECT_EQ((*live)["workspace_id"], id);
  EXPECT_EQ((*live)["payload"]["sample_error"], why);

  // Still wedged: still degraded, and no second event; a healthy error rate does not clear it.
  ASSERT_EQ(beat({{"runtime_state", "wedged"}, {"sample_error", why}, {"error_rate", 0.0}}).status, 200);
  EXPECT_EQ(listed()["status"], "degraded");
  auto count = [&](const std::string& type) {
    const auto types = eventTypes(a, id);
    return std::count(types.begin(), types.end(), type);
  };
  EXPECT_EQ(count("WORKSPACE_DEGRADED"), 1);

  // The agent reports runtime_state "" again: online, the error cleared, and said so.
  const auto onlines = count("WORKSPACE_ONLINE");
  ASSERT_EQ(beat({{"runtime_state", ""}, {"error_rate", 0.0}}).status, 200);
  EXPECT_EQ(listed()["status"], "online");
  EXPECT_EQ(listed()["last_sample_error"], "");
  EXPECT_EQ(count("WORKSPACE_ONLINE"), onlines + 1);
  EXPECT_EQ(a.get("/events/" + id).json()[0]["payload"], json({{"recovered_from", "degraded"}}));
  auto back = hub.waitFor([&](const json& m) { return m["event"] == "WORKSPACE_ONLINE" && m["workspace_id"] == id; },
                          std::chrono::seconds(5));
  EXPECT_TRUE(back) << "no WORKSPACE_ONLINE on /ws";

  // A wedge is the agent's own report: it counts for an agent that manages its own status too.
  const json self_managed{{"capabilities", {{"status_mgmt", true}}}};
  ASSERT_EQ(beat({{"runtime_state", "wedged"}, {"sample_error", why}, {"runtime_metadata", self_managed}}).status, 200);
  EXPECT_EQ(listed()["status"], "degraded");
  EXPECT_EQ(beat({{"runtime_state", "stuck"}}).status, 400) << "only \"\" and \"wedged\"";
}

TEST(RegistryFlow, SilenceMakesOfflineAndHeartbeatRecovers) {
  ServerProcess server({"--allow-loopback-agents", "--liveness-ttl", "1", "--sweep-interval-ms", "100"}, {{"ADMIN_TOKEN", kAdmin}});
  auto c = server.client();
  auto a = server.client(kAdmin);
  const std::string id = a.post("/workspaces", {{"name", "quiet"}}).json()["id"];
  auto reg = c.post("/registry/register", {{"id", id}, {"url", "http://localhost:8000"}, {"agent_card", json::object()}});
  ASSERT_EQ(reg.status, 200);
  const std::string token = reg.json()["auth_token"];
  std::string status;
  for (int i = 0; i < 50 && status != "offline"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    status = c.get("/workspaces/" + id).json()["status"];
  }
  EXPECT_EQ(status, "offline");
  EXPECT_TRUE(contains(eventTypes(a, id), "WORKSPACE_OFFLINE"));
  ASSERT_EQ(c.post("/registry/heartbeat", {{"workspace_id", id}}, token).status, 200);
  EXPECT_EQ(c.get("/workspaces/" + id).json()["status"], "online");
}

// The last heartbeat is in the database, and a start gives every agent a full TTL: after a
// restart a workspace silent for longer than the TTL stays online for one TTL, then goes offline.
TEST(RegistryFlow, ARestartGivesEveryAgentAFullTtlFromTheDatabase) {
  const std::vector<std::string> fast{"--allow-loopback-agents", "--liveness-ttl", "3", "--sweep-interval-ms", "100"};
  ServerProcess first(fast, {{"ADMIN_TOKEN", kAdmin}});
  const std::string id = first.client(kAdmin).post("/workspaces", {{"name", "sleeper"}}).json()["id"];
  ASSERT_EQ(first.client().post("/registry/register", {{"id", id}, {"url", "http://localhost:8000"}, {"agent_card", json::object()}}).status, 200);
  ASSERT_EQ(first.terminate(), 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(3500));  // the registration is older than the TTL now

  auto args = fast;
  args.insert(args.end(), {"--db", first.dbPath()});
  ServerProcess second(args, {{"ADMIN_TOKEN", kAdmin}});
  auto c = second.client();
  EXPECT_EQ(c.get("/workspaces/" + id).json()["status"], "online") << "within the grace after the start";
  std::string status;
  for (int i = 0; i < 80 && status != "offline"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    status = c.get("/workspaces/" + id).json()["status"];
  }
  EXPECT_EQ(status, "offline") << "silent past the TTL counted from the start";
}

TEST(RegistryFlow, UnknownAgentIsAdoptedOnRegister) {
  ServerProcess server({"--allow-loopback-agents"}, {{"ADMIN_TOKEN", kAdmin}});
  auto c = server.client();
  auto a = server.client(kAdmin);
  const std::string id = "0b6f5a52-5d0b-4c47-9d43-2b7d1c7b9e10";
  auto reg = c.post("/registry/register", {{"id", id}, {"url", "http://localhost:7000"}, {"agent_card", {{"name", "x"}}}});
  ASSERT_EQ(reg.status, 200) << reg.body;
  auto w = c.get("/workspaces/" + id).json();
  EXPECT_EQ(w["status"], "online");
  EXPECT_EQ(w["name"], id);
  EXPECT_EQ(w["agent_card"]["name"], "x");
}

TEST(RegistryFlow, DiscoveryPeersAndAccess) {
  ServerProcess server({"--allow-loopback-agents"}, {{"ADMIN_TOKEN", kAdmin}});
  auto c = server.client();
  auto a = server.client(kAdmin);
  const std::string root = a.post("/workspaces", {{"name", "root"}}).json()["id"];
  const std::string kid = a.post("/workspaces", {{"name", "kid"}, {"parent_id", root}}).json()["id"];
  const std::string grandkid = a.post("/workspaces", {{"name", "grandkid"}, {"parent_id", kid}}).json()["id"];
  const std::string other = a.post("/workspaces", {{"name", "other"}, {"parent_id", grandkid}}).json()["id"];
  auto access = [&](const std::string& from, const std::string& to) {
    return c.post("/registry/check-access", {{"caller_id", from}, {"target_id", to}}).json()["allowed"].get<bool>();
  };
  EXPECT_TRUE(access(root, kid));       // parent -> child
  EXPECT_TRUE(access(kid, root));       // child -> parent
  EXPECT_TRUE(access(root, grandkid));  // ancestor -> descendant
  EXPECT_FALSE(access(grandkid, root)); // not upwards past the parent
  EXPECT_FALSE(access(other, kid));

  auto peers = c.get("/registry/" + kid + "/peers").json();
  ASSERT_EQ(peers.size(), 2u);  // its parent and its child

  auto reg = c.post("/registry/register", {{"id", grandkid}, {"url", "http://localhost:7001"}, {"agent_card", json::object()}});
  const std::string token = reg.json()["auth_token"];
  auto d = c.request("GET", "/registry/discover/" + kid, "", {{"X-Workspace-ID", grandkid}, {"Authorization", "Bearer " + token}});
  ASSERT_EQ(d.status, 200) << d.body;
  EXPECT_EQ(d.json()["name"], "kid");
  auto denied = c.request("GET", "/registry/discover/" + root, "", {{"X-Workspace-ID", grandkid}, {"Authorization", "Bearer " + token}});
  EXPECT_EQ(denied.status, 403);
  auto anon = c.request("GET", "/registry/discover/" + kid, "", {{"X-Workspace-ID", grandkid}});
  EXPECT_EQ(anon.status, 401);
}

TEST(RegistryFlow, UpdateCardRecordsEvent) {
  ServerProcess server({"--allow-loopback-agents"}, {{"ADMIN_TOKEN", kAdmin}});
  auto c = server.client();
  auto a = server.client(kAdmin);
  const std::string id = a.post("/workspaces", {{"name", "carded"}}).json()["id"];
  const std::string token =
      c.post("/registry/register", {{"id", id}, {"url", "http://localhost:1"}, {"agent_card", json::object()}}).json()["auth_token"];
  auto r = c.post("/registry/update-card", {{"workspace_id", id}, {"agent_card", {{"skills", {"search"}}}}}, token);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(c.get("/workspaces/" + id).json()["agent_card"]["skills"][0], "search");
  EXPECT_TRUE(contains(eventTypes(a, id), "AGENT_CARD_UPDATED"));
}

}  // namespace
}  // namespace ws::test
