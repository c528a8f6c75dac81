#include "handlers/auth_gate.h"

#include <gtest/gtest.h>

#include "support/test_store.h"

namespace ws::test {
namespace {

Request withBearer(const std::string& token, const std::string& id = "") {
  Request r;
  if (!token.empty()) r.headers["authorization"] = "Bearer " + token;
  if (!id.empty()) r.params["id"] = id;
  return r;
}

class AuthTest : public ::testing::Test {
 protected:
  TempStore store_;
  ServerConfig config_;
  Credentials credentials_{*store_, config_};
  OrgTokens org_tokens_{*store_};
  AuthGate auth_{credentials_, org_tokens_, config_};
  Workspace a_ = makeWorkspace("a");
  Workspace b_ = makeWorkspace("b");
  void SetUp() override {
    ASSERT_TRUE(store_->insertWorkspace(a_, createdEvent(a_)));
    ASSERT_TRUE(store_->insertWorkspace(b_, createdEvent(b_)));
  }
};

TEST_F(AuthTest, AdminRoutesAreNeverOpen) {
  EXPECT_EQ(auth_.admin(withBearer(""))->status, 401) << "no anonymous bootstrap window";
  const auto token = *credentials_.issueToken(a_.id);
  EXPECT_EQ(auth_.admin(withBearer(token))->status, 401) << "a workspace token is never admin";
  config_.environment = "development";
  EXPECT_EQ(auth_.admin(withBearer(""))->status, 401) << "not even in development mode";
}

TEST_F(AuthTest, AdminTokenIsExact) {
  config_.admin_token = "s3cret";
  EXPECT_EQ(auth_.admin(withBearer(""))->status, 401);
  EXPECT_EQ(auth_.admin(withBearer("s3cret-not"))->status, 401);
  EXPECT_FALSE(auth_.admin(withBearer("s3cret")));
  const auto token = *credentials_.issueToken(a_.id);
  EXPECT_EQ(auth_.admin(withBearer(token))->status, 401) << "workspace tokens are not admin";
}

TEST_F(AuthTest, DevModeOpensNoWorkspaceCalls) {
  config_.environment = "dev";
  EXPECT_EQ(auth_.workspace(withBearer(""), a_.id)->status, 401);
  EXPECT_EQ(auth_.workspace(withBearer("wrong"), a_.id)->status, 401);
  config_.admin_token = "s3cret";
  EXPECT_FALSE(auth_.workspace(withBearer("s3cret"), a_.id));
}

TEST_F(AuthTest, WorkspaceTokensAreScoped) {
  const auto ta = *credentials_.issueToken(a_.id);
  const auto tb = *credentials_.issueToken(b_.id);
  EXPECT_FALSE(auth_.workspace(withBearer(ta), a_.id));
  EXPECT_EQ(auth_.workspace(withBearer(tb), a_.id)->status, 401);
  EXPECT_EQ(auth_.workspace(withBearer(""), a_.id)->status, 401);
  EXPECT_FALSE(auth_.check(AuthPolicy::workspace, withBearer(ta, a_.id)));
}

TEST_F(AuthTest, TokenGateIsGrandfatheredUntilATokenExists) {
  EXPECT_FALSE(auth_.tokenGate(withBearer(""), a_.id));
  const auto ta = *credentials_.issueToken(a_.id);
  EXPECT_EQ(auth_.tokenGate(withBearer(""), a_.id)->status, 401);
  EXPECT_FALSE(auth_.tokenGate(withBearer(ta), a_.id));
}

TEST_F(AuthTest, OnlyTheHashIsStored) {
  const auto token = *credentials_.issueToken(a_.id);
  auto live = *store_->liveTokens(a_.id);
  ASSERT_EQ(live.size(), 1u);
  EXPECT_EQ(live[0].hash_hex, sha256Hex(token));
  EXPECT_EQ(live[0].prefix, token.substr(0, 8));
}

TEST_F(AuthTest, OrgTokensPassWhereTheAdminTokenDoesUntilRevoked) {
  config_.admin_token = "s3cret";
  const auto org = *org_tokens_.issue("ci", std::nullopt, "admin-token");
  const auto& token = org.plaintext;
  EXPECT_FALSE(auth_.admin(withBearer(token)));
  EXPECT_FALSE(auth_.workspace(withBearer(token), a_.id)) << "an org token reaches every workspace";
  EXPECT_FALSE(auth_.workspace(withBearer(token), b_.id));
  EXPECT_FALSE(auth_.canvas(withBearer(token)));
  EXPECT_TRUE(auth_.isAdmin(withBearer(token)));
  (void)credentials_.issueToken(a_.id);
  EXPECT_FALSE(auth_.tokenGate(withBearer(token), a_.id));

  ASSERT_TRUE(*org_tokens_.revoke(org.record.id));
  EXPECT_EQ(auth_.admin(withBearer(token))->status, 401) << "refused from the next request on";
  EXPECT_EQ(auth_.workspace(withBearer(token), a_.id)->status, 401);
  EXPECT_EQ(auth_.canvas(withBearer(token))->status, 401);
  EXPECT_EQ(auth_.tokenGate(withBearer(token), a_.id)->status, 401);
  EXPECT_FALSE(auth_.isAdmin(withBearer(token)));
}

TEST_F(AuthTest, CanvasGateTakesAnyValidBearerOrTheCanvasOrigin) {
  config_.admin_token = "s3cret";
  config_.cors_origins = {"https://canvas.example"};
  AuthGate auth{credentials_, org_tokens_, config_};  // reads the origins at construction
  Request page;
  page.headers["origin"] = "https://canvas.example";
  EXPECT_FALSE(auth.canvas(page));
  page.headers["origin"] = "https://evil.example";
  EXPECT_EQ(auth.canvas(page)->status, 401);
  page.headers["host"] = "tenant.example";
  page.headers["origin"] = "https://tenant.example";
  EXPECT_FALSE(auth.canvas(page)) << "a page served by this server";
  EXPECT_EQ(auth.canvas(withBearer(""))->status, 401);

  EXPECT_FALSE(auth.canvas(withBearer("s3cret")));
  EXPECT_FALSE(auth.canvas(withBearer(*credentials_.issueToken(b_.id)))) << "any workspace's token";
  auto bad = withBearer("forged");
  bad.headers["origin"] = "https://canvas.example";
  EXPECT_EQ(auth.canvas(bad)->status, 401) << "a bad bearer never falls back to the origin";
  EXPECT_FALSE(auth.check(AuthPolicy::canvas, withBearer("s3cret")));
}

}  // namespace
}  // namespace ws::test
