// An agent's message to its user: pushed live to the canvas and kept for the chat's history.

#include <gtest/gtest.h>

#include "support/server_process.h"

namespace ws::test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

const std::string kAdmin = "notify-admin-token";

class Notify : public ::testing::Test {
 protected:
  ServerProcess server_{{}, {{"ADMIN_TOKEN", kAdmin}}};
  HttpClient admin_ = server_.client(kAdmin);
  HttpClient anon_ = server_.client();
  std::string id_ = admin_.post("/workspaces", {{"name", "messenger"}}).json()["id"];
  std::string token_ = admin_.post("/workspaces/" + id_ + "/tokens", json::object()).json()["auth_token"];
  std::string notify_ = "/workspaces/" + id_ + "/notify";

  json notes() { return admin_.get("/workspaces/" + id_ + "/activity?type=a2a_receive").json(); }
};

TEST_F(Notify, PushedToTheCanvasAndKeptForTheChat) {
  auto hub = LiveClient::socket(server_.port(), "/ws", {{"Authorization", "Bearer " + kAdmin}});
  const json attachment = {{"uri", "workspace:/workspace/.molecule/chat-uploads/ab-report.pdf"},
                           {"name", "report.pdf"}, {"mimeType", "application/pdf"}, {"size", 1234}};
  auto sent = anon_.post(notify_, {{"message", "Here is the report"}, {"attachments", {attachment}}}, token_);
  ASSERT_EQ(sent.status, 200) << sent.body;
  EXPECT_EQ(sent.json(), json({{"status", "sent"}}));

  auto pushed = hub.waitFor([](const json& e) { return e["event"] == "AGENT_MESSAGE"; }, 5s);
  ASSERT_TRUE(pushed);
  EXPECT_EQ((*pushed)["workspace_id"], id_);
  EXPECT_EQ((*pushed)["payload"], json({{"message", "Here is the report"}, {"workspace_id", id_}, {"name", "messenger"},
                                        {"attachments", {attachment}}}));

  const json rows = notes();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0]["method"], "notify");
  EXPECT_EQ(rows[0]["summary"], "Agent message: Here is the report");
  EXPECT_TRUE(rows[0]["source_id"].is_null());
  EXPECT_EQ(rows[0]["response_body"]["result"], "Here is the report");
  EXPECT_EQ(rows[0]["response_body"]["parts"][0], json({{"kind", "file"}, {"file", attachment}}));
  EXPECT_EQ(admin_.get("/workspaces/" + id_ + "/activity?source=canvas").json().size(), 1u)
      << "the chat history reads it as the agent's reply to the canvas";
  EXPECT_FALSE(sawEvent(admin_, id_, "AGENT_MESSAGE")) << "pushed, not kept among structure events";
}

TEST_F(Notify, RefusalsRecordNothing) {
  const auto status = [&](const std::string& body, const std::string& bearer) {
    return anon_.request("POST", notify_, body, {{"Authorization", "Bearer " + bearer}});
  };
  auto empty = status(R"({"message":""})", token_);
  EXPECT_EQ(empty.status, 400);
  EXPECT_EQ(empty.json()["error"], "message is required");
  EXPECT_EQ(status("{}", token_).status, 400);
  EXPECT_EQ(status(R"({"message":5})", token_).status, 400);
  EXPECT_EQ(status(R"({"message":"hi",)", token_).status, 400);
  EXPECT_EQ(status(R"({"message":"hi","attachments":"x"})", token_).status, 400);
  EXPECT_EQ(status(R"({"message":"hi","attachments":[7]})", token_).status, 400);
  auto no_uri = status(R"({"message":"hi","attachments":[{"name":"a"}]})", token_);
  EXPECT_EQ(no_uri.status, 400);
  EXPECT_EQ(no_uri.json()["error"], "attachment[0]: uri and name are required");
  EXPECT_EQ(status(R"({"message":"hi","attachments":[{"uri":"u","name":"a","size":"big"}]})", token_).status, 400);

  const std::string other = admin_.post("/workspaces", {{"name", "other"}}).json()["id"];
  const std::string foreign = admin_.post("/workspaces/" + other + "/tokens", json::object()).json()["auth_token"];
  EXPECT_EQ(status(R"({"message":"spoof"})", foreign).status, 401) << "a workspace speaks only for itself";
  EXPECT_EQ(anon_.post(notify_, {{"message", "anonymous"}}).status, 401);
  EXPECT_EQ(admin_.post("/workspaces/7c1d7d1e-0f7e-4a57-9a0b-3f8a1b2c3d4e/notify", {{"message", "x"}}).status, 404);
  EXPECT_EQ(admin_.post("/workspaces/not-a-uuid/notify", {{"message", "x"}}).status, 400);
  EXPECT_TRUE(notes().empty());
}

}  // namespace
}  // namespace ws::test
