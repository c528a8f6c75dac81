// Workspace CRUD beyond the registry: cascading delete, purge, patch, external agents,
// keep-alive, and a clean shutdown that leaves a consistent database.

#include <gtest/gtest.h>

#include "support/server_process.h"

namespace ws::test {
namespace {

using nlohmann::json;

const std::string kAdmin = "lifecycle-admin-token";

TEST(WorkspaceLifecycle, DeleteNeedsConfirmationAndCascades) {
  ServerProcess server({}, {{"ADMIN_TOKEN", kAdmin}});
  auto c = server.client(kAdmin);
  const std::string root = c.post("/workspaces", {{"name", "team"}}).json()["id"];
  const std::string a = c.post("/workspaces", {{"name", "a"}, {"parent_id", root}}).json()["id"];
  const std::string b = c.post("/workspaces", {{"name", "b"}, {"parent_id", a}}).json()["id"];

  auto refused = c.request("DELETE", "/workspaces/" + root);
  ASSERT_EQ(refused.status, 409);
  EXPECT_EQ(refused.json()["status"], "confirmation_required");
  EXPECT_EQ(refused.json()["children_count"], 1);
  EXPECT_EQ(refused.json()["children"][0]["id"], a);
  EXPECT_EQ(c.get("/workspaces").json().size(), 3u);

  auto done = c.request("DELETE", "/workspaces/" + root + "?confirm=true");
  ASSERT_EQ(done.status, 200) << done.body;
  EXPECT_EQ(done.json()["status"], "removed");
  EXPECT_EQ(done.json()["cascade_deleted"], 2);
  EXPECT_TRUE(c.get("/workspaces").json().empty());
  for (const auto& id : {root, a, b}) EXPECT_EQ(c.get("/workspaces/" + id).status, 404);
  // Events survive deletion.
  EXPECT_TRUE(sawEvent(c, b, "WORKSPACE_REMOVED"));
}

TEST(WorkspaceLifecycle, PurgeDeletesRows) {
  ServerProcess server({}, {{"ADMIN_TOKEN", kAdmin}});
  auto c = server.client(kAdmin);
  const std::string id = c.post("/workspaces", {{"name", "ephemeral"}}).json()["id"];
  ASSERT_EQ(c.post("/workspaces/" + id + "/activity", {{"activity_type", "agent_log"}}).status, 200);
  auto r = c.request("DELETE", "/workspaces/" + id + "?purge=true");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.json()["status"], "purged");
  EXPECT_EQ(server.terminate(), 0);
  EXPECT_EQ(server.sql("SELECT (SELECT COUNT(*) FROM workspaces) + (SELECT COUNT(*) FROM activity_logs)").at(0).at(0), "0");
}

TEST(WorkspaceLifecycle, PatchUpdatesFields) {
  ServerProcess server({"--workspace-dir-root", "/srv"}, {{"ADMIN_TOKEN", kAdmin}});
  auto c = server.client(kAdmin);
  const std::string id = c.post("/workspaces", {{"name", "before"}, {"canvas", {{"x", 10}, {"y", 20}}}}).json()["id"];
  auto w = c.get("/workspaces/" + id).json();
  EXPECT_EQ(w["x"], 10.0);
  auto r = c.request("PATCH", "/workspaces/" + id,
                     json{{"name", "after"}, {"tier", 2}, {"x", 1}, {"y", 2}, {"collapsed", true}}.dump());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_FALSE(r.json().contains("needs_restart"));
  w = c.get("/workspaces/" + id).json();
  EXPECT_EQ(w["name"], "after");
  EXPECT_EQ(w["tier"], 2);
  EXPECT_EQ(w["x"], 1.0);
  EXPECT_EQ(w["collapsed"], true);
  r = c.request("PATCH", "/workspaces/" + id, json{{"workspace_dir", "/srv/agent"}}.dump());
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.json()["needs_restart"], true);
  EXPECT_EQ(c.get("/workspaces").json()[0]["workspace_dir"], "/srv/agent");
}

TEST(WorkspaceLifecycle, ExternalAgents) {
  ServerProcess server({"--allow-loopback-agents"}, {{"ADMIN_TOKEN", kAdmin}});
  auto c = server.client(kAdmin);
  auto online = c.post("/workspaces", {{"name", "ext"}, {"external", true}, {"url", "http://localhost:9100"}});
  ASSERT_EQ(online.status, 201) << online.body;
  EXPECT_EQ(online.json()["status"], "online");

  auto waiting = c.post("/workspaces", {{"name", "ext2"}, {"runtime", "external"}});
  ASSERT_EQ(waiting.status, 201) << waiting.body;
  const auto body = waiting.json();
  EXPECT_EQ(body["status"], "awaiting_agent");
  const std::string id = body["id"];
  const std::string token = body["connection"]["auth_token"];
  EXPECT_EQ(c.get("/workspaces/" + id).json()["status"], "awaiting_agent");
  auto anon = server.client();
  auto reg = anon.post("/registry/register", {{"id", id}, {"url", "http://localhost:9101"}, {"agent_card", json::object()}}, token);
  ASSERT_EQ(reg.status, 200) << reg.body;
  EXPECT_EQ(c.get("/workspaces/" + id).json()["status"], "online");
}

TEST(WorkspaceLifecycle, KeepAliveServesManyRequestsOnOneConnection) {
  ServerProcess server({}, {{"ADMIN_TOKEN", kAdmin}});
  auto c = server.client(kAdmin);
  for (int i = 0; i < 200; ++i) ASSERT_EQ(c.get("/health").status, 200);
}

TEST(WorkspaceLifecycle, ShutdownIsCleanAndDataSurvives) {
  std::string db;
  std::string id;
  {
    ServerProcess server({}, {{"ADMIN_TOKEN", kAdmin}});
    auto c = server.client(kAdmin);
    id = c.post("/workspaces", {{"name", "durable"}}).json()["id"];
    EXPECT_EQ(server.terminate(), 0);
    // Reopen the same file with a second server: the row and its history are there.
    ServerProcess again({"--db", server.dbPath()}, {{"ADMIN_TOKEN", kAdmin}});
    auto c2 = again.client(kAdmin);
    auto w = c2.get("/workspaces/" + id);
    ASSERT_EQ(w.status, 200);
    EXPECT_EQ(w.json()["name"], "durable");
    EXPECT_TRUE(sawEvent(c2, id, "WORKSPACE_PROVISIONING"));
  }
}

}  // namespace
}  // namespace ws::test
