// Secrets over HTTP: workspace and global scopes, values never listed, sealed at rest with
// SECRETS_ENCRYPTION_KEY, and a production server that refuses to run without a key.

#include <gtest/gtest.h>

#include "support/server_process.h"

namespace ws::test {
namespace {

using nlohmann::json;

const std::string kAdmin = "secrets-admin-token";
const std::string kKey = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";

class Secrets : public ::testing::Test {
 protected:
  ServerProcess server_{{}, {{"ADMIN_TOKEN", kAdmin}, {"SECRETS_ENCRYPTION_KEY", kKey}}};
  HttpClient c_ = server_.client(kAdmin);
  std::string id_ = c_.post("/workspaces", {{"name", "keeper"}, {"secrets", {{"OPENAI_API_KEY", "sk-created"}}}}).json()["id"];
  std::string base_ = "/workspaces/" + id_;
};

TEST_F(Secrets, ScopesOverridesAndValuesNeverListed) {
  auto listed = c_.get(base_ + "/secrets");
  ASSERT_EQ(listed.status, 200) << listed.body;
  EXPECT_EQ(listed.body.find("sk-created"), std::string::npos);
  ASSERT_EQ(listed.json().size(), 1u);
  EXPECT_EQ(listed.json()[0]["key"], "OPENAI_API_KEY");
  EXPECT_EQ(listed.json()[0]["has_value"], true);
  EXPECT_EQ(listed.json()[0]["scope"], "workspace");

  auto global = c_.post("/settings/secrets", {{"key", "SHARED_TOKEN"}, {"value", "from-global"}});
  ASSERT_EQ(global.status, 200) << global.body;
  EXPECT_EQ(global.json(), json({{"status", "saved"}, {"key", "SHARED_TOKEN"}, {"scope", "global"}}));
  EXPECT_EQ(c_.get(base_ + "/secrets/values").json(),
            json({{"OPENAI_API_KEY", "sk-created"}, {"SHARED_TOKEN", "from-global"}}));

  auto own = c_.request("PUT", base_ + "/secrets", json{{"key", "SHARED_TOKEN"}, {"value", "mine"}}.dump());
  ASSERT_EQ(own.status, 200) << own.body;
  EXPECT_EQ(own.json(), json({{"status", "saved"}, {"key", "SHARED_TOKEN"}}));
  const json both = c_.get(base_ + "/secrets").json();
  ASSERT_EQ(both.size(), 2u) << "the shadowed global is not listed: " << both;
  for (const auto& s : both) EXPECT_EQ(s["scope"], "workspace");
  EXPECT_EQ(c_.get(base_ + "/secrets/values").json()["SHARED_TOKEN"], "mine");

  auto deleted = c_.request("DELETE", base_ + "/secrets/SHARED_TOKEN");
  ASSERT_EQ(deleted.status, 200) << deleted.body;
  EXPECT_EQ(c_.get(base_ + "/secrets/values").json()["SHARED_TOKEN"], "from-global");
  EXPECT_EQ(c_.request("DELETE", base_ + "/secrets/SHARED_TOKEN").status, 404);
  EXPECT_EQ(c_.get("/admin/secrets").json()[0]["key"], "SHARED_TOKEN");
  EXPECT_EQ(c_.request("DELETE", "/admin/secrets/SHARED_TOKEN").status, 200);
  EXPECT_EQ(c_.request("DELETE", "/settings/secrets/SHARED_TOKEN").status, 404);
}

TEST_F(Secrets, BadInputIsRefusedAndChangesNothing) {
  EXPECT_EQ(c_.post(base_ + "/secrets", {{"key", "1BAD"}, {"value", "x"}}).status, 400);
  EXPECT_EQ(c_.post(base_ + "/secrets", {{"key", "BAD-NAME"}, {"value", "x"}}).status, 400);
  EXPECT_EQ(c_.post(base_ + "/secrets", {{"key", "OK"}, {"value", 5}}).status, 400);
  EXPECT_EQ(c_.post(base_ + "/secrets", {{"key", "OK"}}).status, 400);
  EXPECT_EQ(c_.post(base_ + "/secrets", {{"key", "OK"}, {"value", std::string(64 * 1024 + 1, 'v')}}).status, 400);
  EXPECT_EQ(c_.request("POST", base_ + "/secrets", "{not json").status, 400);
  EXPECT_EQ(c_.post("/workspaces", {{"name", "x"}, {"secrets", {{"OK", 1}}}}).status, 400);
  EXPECT_EQ(c_.post("/workspaces/" + std::string(36, 'f') + "/secrets", {{"key", "OK"}, {"value", "x"}}).status, 400);
  EXPECT_EQ(c_.post("/workspaces/00000000-0000-4000-8000-000000000000/secrets", {{"key", "OK"}, {"value", "x"}}).status, 404);
  auto anonymous = server_.client();
  EXPECT_EQ(anonymous.get("/settings/secrets").status, 401);
  EXPECT_EQ(anonymous.post("/settings/secrets", {{"key", "OK"}, {"value", "x"}}).status, 401);
  EXPECT_EQ(c_.get(base_ + "/secrets").json().size(), 1u) << "nothing was stored";
  EXPECT_TRUE(c_.get("/settings/secrets").json().empty());
}

TEST_F(Secrets, ValuesAreSealedAtRest) {
  ASSERT_EQ(c_.post("/settings/secrets", {{"key", "GLOBAL_ONE"}, {"value", "sk-global-plain"}}).status, 200);
  // PostgreSQL's bytea read with `escape` keeps printable bytes as they are: plaintext would show.
  const std::string value = server_.postgres() ? "encode(encrypted_value, 'escape')" : "encrypted_value";
  int rows = 0;
  for (const char* table : {"workspace_secrets", "global_secrets"})
    for (const auto& row : server_.sql("SELECT " + value + ", encryption_version FROM " + table)) {
      ++rows;
      EXPECT_EQ(row.at(1), "1");
      EXPECT_EQ(row.at(0).find("sk-"), std::string::npos);
    }
  EXPECT_EQ(rows, 2);
}

TEST_F(Secrets, ModelIsTheModelProviderSecret) {
  EXPECT_EQ(c_.get(base_ + "/model").json()["source"], "default");
  auto saved = c_.request("PUT", base_ + "/model", json{{"model", "anthropic:claude-sonnet"}}.dump());
  ASSERT_EQ(saved.status, 200) << saved.body;
  EXPECT_EQ(c_.get(base_ + "/model").json(), json({{"model", "anthropic:claude-sonnet"}, {"source", "workspace_secrets"}}));
  EXPECT_EQ(c_.get(base_ + "/secrets/values").json()["MODEL_PROVIDER"], "anthropic:claude-sonnet");
  EXPECT_EQ(c_.request("PUT", base_ + "/model", json{{"model", ""}}.dump()).json(), json({{"status", "cleared"}}));
  EXPECT_EQ(c_.get(base_ + "/model").json()["source"], "default");
}

TEST(SecretsProduction, RefusesToStartWithoutAKey) {
  EXPECT_THROW(ServerProcess({"--env", "production"}, {{"ADMIN_TOKEN", kAdmin}}), std::runtime_error);
  ServerProcess ok({"--env", "production"}, {{"ADMIN_TOKEN", kAdmin}, {"SECRETS_ENCRYPTION_KEY", kKey}});
  EXPECT_EQ(ok.client().get("/health").status, 200);
}

}  // namespace
}  // namespace ws::test
