// Organization API tokens over HTTP: minted once, stored as hashes, accepted wherever the admin
// token is, refused the moment they are revoked, and minted at most 10 times an hour per client.

#include <gtest/gtest.h>

#include "support/server_process.h"

namespace ws::test {
namespace {

using nlohmann::json;

const std::string kAdmin = "org-tokens-admin-token";

class OrgTokensApi : public ::testing::Test {
 protected:
  ServerProcess server_{{}, {{"ADMIN_TOKEN", kAdmin}}};
  HttpClient admin_ = server_.client(kAdmin);
  HttpClient anon_ = server_.client();
};

TEST_F(OrgTokensApi, MintListUseRevoke) {
  auto minted = admin_.post("/org/tokens", {{"name", "ci bot"}});
  ASSERT_EQ(minted.status, 200) << minted.body;
  const json m = minted.json();
  const std::string token = m["auth_token"], id = m["id"];
  EXPECT_EQ(m["prefix"], token.substr(0, 8));
  EXPECT_EQ(m["name"], "ci bot");
  EXPECT_EQ(m["warning"], "copy this token now; it will not be shown again");
  EXPECT_GE(token.size(), 43u);

  auto listed = admin_.get("/org/tokens").json();
  ASSERT_EQ(listed["count"], 1);
  const json row = listed["tokens"][0];
  EXPECT_EQ(row["id"], id);
  EXPECT_EQ(row["prefix"], token.substr(0, 8));
  EXPECT_EQ(row["created_by"], "admin-token");
  EXPECT_FALSE(row.contains("last_used_at")) << "never used yet";
  EXPECT_EQ(listed.dump().find(token), std::string::npos) << "the plaintext is shown once";

  // An admin credential on admin routes and on every workspace.
  EXPECT_EQ(anon_.get("/workspaces", token).status, 200);
  const std::string w = admin_.post("/workspaces", {{"name", "reachable"}}).json()["id"];
  EXPECT_EQ(anon_.get("/workspaces/" + w + "/activity", token).status, 200);
  EXPECT_EQ(anon_.post("/workspaces", {{"name", "by-org-token"}}, token).status, 201);
  EXPECT_TRUE(admin_.get("/org/tokens").json()["tokens"][0].contains("last_used_at"));

  // Tokens mint tokens, and the audit trail says which.
  auto second = anon_.post("/org/tokens", json::object(), token);
  ASSERT_EQ(second.status, 200) << second.body;
  EXPECT_FALSE(second.json().contains("name"));
  EXPECT_EQ(admin_.get("/org/tokens").json()["tokens"][0]["created_by"], "org-token:" + token.substr(0, 8));

  auto revoked = admin_.request("DELETE", "/org/tokens/" + id);
  ASSERT_EQ(revoked.status, 200) << revoked.body;
  EXPECT_EQ(revoked.json(), json({{"revoked", id}}));
  EXPECT_EQ(anon_.get("/workspaces", token).status, 401) << "refused at once";
  EXPECT_EQ(anon_.get("/workspaces/" + w + "/activity", token).status, 401);
  EXPECT_EQ(anon_.get("/org/tokens", token).status, 401);
  auto again = admin_.request("DELETE", "/org/tokens/" + id);
  EXPECT_EQ(again.status, 404);
  EXPECT_EQ(again.json()["error"], "token not found or already revoked");
  EXPECT_EQ(admin_.get("/org/tokens").json()["count"], 1);
}

TEST_F(OrgTokensApi, OnlyAdminCredentialsManageThem) {
  const std::string w = admin_.post("/workspaces", {{"name", "agent"}}).json()["id"];
  const std::string ws_token = admin_.post("/workspaces/" + w + "/tokens", json::object()).json()["auth_token"];
  EXPECT_EQ(anon_.post("/org/tokens", json::object()).status, 401);
  EXPECT_EQ(anon_.post("/org/tokens", json::object(), ws_token).status, 401) << "a workspace token is no admin";
  EXPECT_EQ(anon_.get("/org/tokens", ws_token).status, 401);
  EXPECT_EQ(anon_.request("DELETE", "/org/tokens/7c1d7d1e-0f7e-4a57-9a0b-3f8a1b2c3d4e", "",
                          {{"Authorization", "Bearer " + ws_token}}).status, 401);
  EXPECT_EQ(anon_.get("/workspaces", "not-a-token").status, 401);
  EXPECT_EQ(admin_.get("/org/tokens").json()["count"], 0);
}

TEST_F(OrgTokensApi, BadInputIsRefusedAndMintsNothing) {
  auto bad_json = admin_.request("POST", "/org/tokens", "{\"name\":");
  EXPECT_EQ(bad_json.status, 400) << bad_json.body;
  EXPECT_EQ(admin_.request("POST", "/org/tokens", "[1]").status, 400);
  EXPECT_EQ(admin_.post("/org/tokens", {{"name", 7}}).status, 400);
  auto long_name = admin_.post("/org/tokens", {{"name", std::string(101, 'n')}});
  EXPECT_EQ(long_name.status, 400);
  EXPECT_EQ(long_name.json()["error"], "name too long (max 100 chars)");
  EXPECT_EQ(admin_.post("/org/tokens", {{"name", "two\nlines"}}).status, 400);
  EXPECT_EQ(admin_.request("DELETE", "/org/tokens/not-a-uuid").status, 400);
  EXPECT_EQ(admin_.get("/org/tokens").json()["count"], 0);
  EXPECT_EQ(admin_.request("POST", "/org/tokens").status, 200) << "an empty body mints an unnamed token";
}

TEST_F(OrgTokensApi, OnlyHashesReachTheDisk) {
  const std::string token = admin_.post("/org/tokens", {{"name", "disk"}}).json()["auth_token"];
  ASSERT_EQ(anon_.get("/workspaces", token).status, 200);
  const std::string stored = server_.storedBytes();
  EXPECT_EQ(stored.find(token), std::string::npos);
  EXPECT_NE(stored.find(token.substr(0, 8)), std::string::npos) << "the prefix is kept, for display";
}

TEST_F(OrgTokensApi, MintingIsLimitedPerClientPerHour) {
  for (int i = 0; i < 3; ++i) EXPECT_EQ(anon_.post("/org/tokens", json::object()).status, 401);
  for (int i = 0; i < 10; ++i) {
    auto r = admin_.post("/org/tokens", json::object());
    ASSERT_EQ(r.status, 200) << "mint " << i << " (refused callers count for nothing): " << r.body;
    EXPECT_EQ(r.headers["X-RateLimit-Limit"], "10");
    EXPECT_EQ(r.headers["X-RateLimit-Remaining"], std::to_string(9 - i));
  }
  auto limited = admin_.post("/org/tokens", json::object());
  ASSERT_EQ(limited.status, 429) << limited.body;
  EXPECT_EQ(limited.json()["error"], "rate limit exceeded");
  EXPECT_GT(limited.json()["retry_after"].get<int>(), 3000);
  EXPECT_EQ(limited.headers["Retry-After"], std::to_string(limited.json()["retry_after"].get<int>()));
  EXPECT_EQ(admin_.get("/org/tokens").json()["count"], 10) << "listing is not limited";
}

}  // namespace
}  // namespace ws::test
