// The key-value memory over HTTP: versions and conflicts in the reference's shapes, keys that
// need encoding, expiry fields, limits and refusals.

#include <gtest/gtest.h>

#include "support/server_process.h"

namespace ws::test {
namespace {

using nlohmann::json;

const std::string kAdmin = "kv-admin-token";

TEST(KvMemoryRoutes, WrittenReadVersionedAndDeleted) {
  ServerProcess server({}, {{"ADMIN_TOKEN", kAdmin}});
  auto admin = server.client(kAdmin);
  const std::string id = admin.post("/workspaces", {{"name", "keeper"}}).json()["id"];
  const std::string token = admin.post("/workspaces/" + id + "/tokens", json::object()).json()["auth_token"];
  auto c = server.client(token);
  const std::string base = "/workspaces/" + id + "/memory";

  auto set = c.post(base, {{"key", "plan/v1"}, {"value", {{"steps", {1, 2}}}}});
  ASSERT_EQ(set.status, 200) << set.body;
  EXPECT_EQ(set.json(), (json{{"status", "ok"}, {"key", "plan/v1"}, {"version", 1}}));
  auto read = c.get(base + "/plan%2Fv1");
  ASSERT_EQ(read.status, 200) << read.body;
  EXPECT_EQ(read.json()["value"], (json{{"steps", {1, 2}}}));
  EXPECT_EQ(read.json()["version"], 1);
  EXPECT_EQ(read.json().count("expires_at"), 0u) << "omitted when the key does not expire";

  auto stale = c.post(base, {{"key", "plan/v1"}, {"value", 3}, {"if_match_version", 7}});
  EXPECT_EQ(stale.status, 409);
  EXPECT_EQ(stale.json(), (json{{"error", "if_match_version mismatch"}, {"expected_version", 7}, {"current_version", 1}}));
  auto missing = c.post(base, {{"key", "nope"}, {"value", 3}, {"if_match_version", 2}});
  EXPECT_EQ(missing.status, 409);
  EXPECT_EQ(missing.json(), (json{{"error", "if_match_version mismatch: key does not exist"}, {"expected_version", 2},
                                  {"current_version", nullptr}}));
  EXPECT_EQ(c.post(base, {{"key", "plan/v1"}, {"value", 3}, {"if_match_version", 1}}).json()["version"], 2);
  EXPECT_EQ(c.post(base, {{"key", "session"}, {"value", nullptr}, {"ttl_seconds", 600}}).status, 200);

  const json all = c.get(base).json();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0]["key"], "plan/v1");
  EXPECT_EQ(all[0]["value"], 3);
  EXPECT_TRUE(all[1]["value"].is_null());
  EXPECT_TRUE(all[1]["expires_at"].is_string());

  EXPECT_EQ(c.request("DELETE", base + "/plan%2Fv1").json(), (json{{"status", "deleted"}}));
  EXPECT_EQ(c.request("DELETE", base + "/plan%2Fv1").status, 200) << "idempotent";
  EXPECT_EQ(c.get(base + "/plan%2Fv1").json()["error"], "key not found");
}

TEST(KvMemoryRoutes, RefusalsChangeNothing) {
  ServerProcess server({}, {{"ADMIN_TOKEN", kAdmin}});
  auto admin = server.client(kAdmin);
  const std::string id = admin.post("/workspaces", {{"name", "keeper"}}).json()["id"];
  const std::string other = admin.post("/workspaces", {{"name", "other"}}).json()["id"];
  const std::string token = admin.post("/workspaces/" + id + "/tokens", json::object()).json()["auth_token"];
  const std::string foreign = admin.post("/workspaces/" + other + "/tokens", json::object()).json()["auth_token"];
  auto c = server.client(token);
  const std::string base = "/workspaces/" + id + "/memory";

  EXPECT_EQ(c.request("POST", base, "{\"key\":").status, 400);
  EXPECT_EQ(c.post(base, {{"value", 1}}).json()["error"], "key is required");
  EXPECT_EQ(c.post(base, {{"key", "k"}}).json()["error"], "value is required");
  EXPECT_EQ(c.post(base, {{"key", 5}, {"value", 1}}).status, 400);
  EXPECT_EQ(c.post(base, {{"key", "k"}, {"value", 1}, {"ttl_seconds", "soon"}}).status, 400);
  EXPECT_EQ(c.post(base, {{"key", "k"}, {"value", 1}, {"ttl_seconds", 0}}).status, 400);
  EXPECT_EQ(c.post(base, {{"key", std::string(300, 'k')}, {"value", 1}}).status, 400);
  EXPECT_EQ(c.post(base, {{"key", "k"}, {"value", std::string(300 * 1024, 'v')}}).status, 413);
  EXPECT_EQ(c.post(base, {{"key", "k"}, {"value", 1}}, foreign).status, 401);
  EXPECT_EQ(c.get(base + "/k", foreign).status, 401);
  EXPECT_EQ(c.request("DELETE", base + "/k", "", {{"Authorization", "Bearer " + foreign}}).status, 401);
  EXPECT_EQ(admin.get("/workspaces/7c1d7d1e-0f7e-4a57-9a0b-3f8a1b2c3d4e/memory").status, 404);
  EXPECT_EQ(admin.post("/workspaces/7c1d7d1e-0f7e-4a57-9a0b-3f8a1b2c3d4e/memory", {{"key", "k"}, {"value", 1}}).status, 404);
  EXPECT_TRUE(c.get(base).json().empty());
}

}  // namespace
}  // namespace ws::test
