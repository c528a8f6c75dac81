// What the canvas keeps on the server: a config document per workspace and the shared viewport.

#include <gtest/gtest.h>

#include "support/server_process.h"

namespace ws::test {
namespace {

using nlohmann::json;

const std::string kAdmin = "canvas-admin-token";

class CanvasState : public ::testing::Test {
 protected:
  ServerProcess server_{{}, {{"ADMIN_TOKEN", kAdmin}}};
  HttpClient admin_ = server_.client(kAdmin);
  HttpClient anon_ = server_.client();
  std::string id_ = admin_.post("/workspaces", {{"name", "configured"}}).json()["id"];
  std::string token_ = admin_.post("/workspaces/" + id_ + "/tokens", json::object()).json()["auth_token"];
  std::string config_ = "/workspaces/" + id_ + "/config";

  HttpResult patch(const std::string& body, const std::string& bearer = kAdmin) {
    return anon_.request("PATCH", config_, body, {{"Authorization", "Bearer " + bearer}});
  }
  int events() { return static_cast<int>(admin_.get("/events/" + id_).json().size()); }
};

TEST_F(CanvasState, ConfigMergesTopLevelKeysAndRestartsNothing) {
  auto empty = anon_.get(config_, token_);
  ASSERT_EQ(empty.status, 200) << empty.body;
  EXPECT_EQ(empty.json(), json({{"data", json::object()}}));
  const int before = events();
  auto patched = patch(R"({"model":"m1","tools":{"web":true}})", token_);
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_EQ(patched.json(), json({{"status", "updated"}}));
  ASSERT_EQ(patch(R"({"tools":{"shell":true},"theme":"dark"})").status, 200);
  EXPECT_EQ(anon_.get(config_, token_).json()["data"], json::parse(R"({"model":"m1","tools":{"shell":true},"theme":"dark"})"));
  EXPECT_EQ(events(), before) << "the database only: no restart, no event";
}

TEST_F(CanvasState, ConfigRefusesBadInputAndChangesNothing) {
  ASSERT_EQ(patch(R"({"kept":true})").status, 200);
  for (const char* body : {"", "{", "[1,2]", "42", "null", "{\"a\":}"})
    EXPECT_EQ(patch(body).status, 400) << body;
  EXPECT_EQ(patch(json{{"big", std::string(300 * 1024, 'x')}}.dump()).status, 413);
  EXPECT_EQ(patch("{\"a\":" + std::string(40, '[') + std::string(40, ']') + "}").status, 400) << "nesting is bounded";
  EXPECT_EQ(anon_.get(config_, token_).json()["data"], json({{"kept", true}}));

  const std::string other = admin_.post("/workspaces", {{"name", "other"}}).json()["id"];
  const std::string foreign = admin_.post("/workspaces/" + other + "/tokens", json::object()).json()["auth_token"];
  EXPECT_EQ(patch(R"({"kept":false})", foreign).status, 401);
  EXPECT_EQ(anon_.get(config_, foreign).status, 401);
  EXPECT_EQ(anon_.get(config_).status, 401);
  EXPECT_EQ(admin_.get("/workspaces/7c1d7d1e-0f7e-4a57-9a0b-3f8a1b2c3d4e/config").status, 404);
  EXPECT_EQ(admin_.request("PATCH", "/workspaces/7c1d7d1e-0f7e-4a57-9a0b-3f8a1b2c3d4e/config", "{}").status, 404);
  EXPECT_EQ(admin_.get("/workspaces/not-a-uuid/config").status, 400);
  EXPECT_EQ(anon_.get(config_, token_).json()["data"], json({{"kept", true}}));
  ASSERT_EQ(admin_.request("DELETE", "/workspaces/" + id_).status, 200);
  EXPECT_EQ(admin_.get(config_).status, 404) << "a removed workspace has no config";
}

TEST_F(CanvasState, ViewportDefaultsSavesAndIsOpenToRead) {
  auto fresh = anon_.get("/canvas/viewport");
  ASSERT_EQ(fresh.status, 200);
  EXPECT_EQ(fresh.json(), json({{"x", 0}, {"y", 0}, {"zoom", 1}}));
  auto saved = anon_.request("PUT", "/canvas/viewport", R"({"x":-120.5,"y":40,"zoom":0.8})", {{"Authorization", "Bearer " + kAdmin}});
  ASSERT_EQ(saved.status, 200) << saved.body;
  EXPECT_EQ(saved.json(), json({{"status", "saved"}}));
  EXPECT_EQ(anon_.get("/canvas/viewport").json(), json({{"x", -120.5}, {"y", 40}, {"zoom", 0.8}}));
}

TEST_F(CanvasState, ViewportSavesNeedABearerOrTheCanvasPage) {
  const auto put = [&](const std::map<std::string, std::string>& headers) {
    return anon_.request("PUT", "/canvas/viewport", R"({"x":1,"y":2,"zoom":3})", headers).status;
  };
  EXPECT_EQ(put({}), 401);
  EXPECT_EQ(put({{"Authorization", "Bearer forged"}}), 401);
  EXPECT_EQ(put({{"Authorization", "Bearer forged"}, {"Origin", "http://localhost:3000"}}), 401) << "no fallback";
  EXPECT_EQ(put({{"Origin", "http://evil.example"}}), 403) << "the browser policy refuses the origin first";
  EXPECT_EQ(anon_.get("/canvas/viewport").json()["zoom"], 1) << "nothing saved so far";
  EXPECT_EQ(put({{"Origin", "http://localhost:3000"}}), 200) << "the canvas's page";
  EXPECT_EQ(put({{"Origin", "http://127.0.0.1"}}), 200) << "a page of this server";
  EXPECT_EQ(put({{"Authorization", "Bearer " + token_}}), 200) << "any workspace's token";
  const std::string org = admin_.post("/org/tokens", json::object()).json()["auth_token"];
  EXPECT_EQ(put({{"Authorization", "Bearer " + org}}), 200);
}

TEST_F(CanvasState, ViewportRefusesWhatIsNotAView) {
  const auto put = [&](const std::string& body) {
    return anon_.request("PUT", "/canvas/viewport", body, {{"Authorization", "Bearer " + kAdmin}}).status;
  };
  ASSERT_EQ(put(R"({"x":5,"y":6,"zoom":1.5})"), 200);
  for (const char* body : {R"({"x":1,"y":2})", R"({"x":1,"y":2,"zoom":0})", R"({"x":1,"y":2,"zoom":-1})",
                           R"({"x":"1","y":2,"zoom":1})", R"({"x":1e999,"y":2,"zoom":1})", R"({"x":1,"y":2,"zoom":null})",
                           "not json", "[]", ""})
    EXPECT_EQ(put(body), 400) << body;
  EXPECT_EQ(anon_.get("/canvas/viewport").json(), json({{"x", 5}, {"y", 6}, {"zoom", 1.5}}));
}

}  // namespace
}  // namespace ws::test
