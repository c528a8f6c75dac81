// The operators' memory backup over HTTP: export, import into a fresh server by workspace name,
// redaction, and the refusals of a malformed or oversized backup.

#include <gtest/gtest.h>

#include "support/server_process.h"

namespace ws::test {
namespace {

using nlohmann::json;

const std::string kAdmin = "backup-admin-token";

TEST(AdminMemories, ABackupRestoresIntoWorkspacesOfTheSameName) {
  json backup;
  {
    ServerProcess old({}, {{"ADMIN_TOKEN", kAdmin}});
    auto c = old.client(kAdmin);
    const std::string id = c.post("/workspaces", {{"name", "researcher"},
                                                  {"initial_memories", {{{"content", "sources live in /data"}},
                                                                        {{"content", "cite everything"}, {"scope", "TEAM"}}}}})
                               .json()["id"];
    backup = c.get("/admin/memories/export").json();
    ASSERT_EQ(backup.size(), 2u) << backup;
    EXPECT_EQ(backup[0]["workspace_name"], "researcher");
    EXPECT_EQ(backup[0]["workspace_id"], id);
    for (const char* key : {"id", "content", "scope", "namespace", "created_at"}) EXPECT_TRUE(backup[0].contains(key)) << key;
    const std::string token = c.post("/workspaces/" + id + "/tokens", json::object()).json()["auth_token"];
    EXPECT_EQ(c.get("/admin/memories/export", token).status, 401) << "admin only";
  }
  ServerProcess fresh({}, {{"ADMIN_TOKEN", kAdmin}});
  auto c = fresh.client(kAdmin);
  const std::string id = c.post("/workspaces", {{"name", "researcher"}}).json()["id"];
  backup.push_back({{"content", "the key is GITHUB_TOKEN=ghp_abcdefghijklmnopqrstuvwxyz"}, {"scope", "LOCAL"},
                    {"workspace_name", "researcher"}});
  backup.push_back({{"content", "orphan"}, {"workspace_name", "nobody"}});
  auto imported = c.post("/admin/memories/import", backup);
  ASSERT_EQ(imported.status, 200) << imported.body;
  EXPECT_EQ(imported.json(), (json{{"imported", 3}, {"skipped", 1}, {"errors", 0}, {"total", 4}}));
  const json memories = c.get("/workspaces/" + id + "/memories").json();
  ASSERT_EQ(memories.size(), 3u);
  std::string all;
  for (const auto& m : memories) all += m["content"].get<std::string>() + "\n";
  EXPECT_NE(all.find("GITHUB_TOKEN=[REDACTED:ENV_SECRET]"), std::string::npos) << all;
  EXPECT_EQ(all.find("ghp_"), std::string::npos) << all;
  EXPECT_EQ(c.post("/admin/memories/import", backup).json()["skipped"], 4) << "importing twice adds nothing";
}

TEST(AdminMemories, AMalformedBackupChangesNothing) {
  ServerProcess server({}, {{"ADMIN_TOKEN", kAdmin}});
  auto c = server.client(kAdmin);
  const std::string id = c.post("/workspaces", {{"name", "w"}}).json()["id"];
  const std::string token = c.post("/workspaces/" + id + "/tokens", json::object()).json()["auth_token"];
  const std::string path = "/admin/memories/import";
  const json good{{"content", "kept?"}, {"workspace_name", "w"}};
  EXPECT_EQ(c.post(path, json::array({good}), token).status, 401) << "admin only";
  EXPECT_EQ(server.client().post(path, json::array({good})).status, 401);
  EXPECT_EQ(c.request("POST", path, "[{").status, 400);
  auto object = c.post(path, good);
  EXPECT_EQ(object.status, 400);
  EXPECT_EQ(object.json()["error"], "invalid JSON: expected an array of memories");
  EXPECT_EQ(c.post(path, json::array({good, 5})).status, 400);
  EXPECT_EQ(c.post(path, json::array({good, {{"content", 5}, {"workspace_name", "w"}}})).json()["error"],
            "invalid JSON: entry 1: content must be a string");
  EXPECT_EQ(c.post(path, json(std::vector<json>(10001, good))).status, 413);
  EXPECT_EQ(c.request("POST", path, "[" + std::string(17u << 20, ' ') + "]").status, 413) << "beyond the route's body limit";
  EXPECT_TRUE(c.get("/workspaces/" + id + "/memories").json().empty());
  EXPECT_EQ(c.post(path, json::array({good})).json()["imported"], 1) << "the same entry, well-formed, is imported";
}

}  // namespace
}  // namespace ws::test
