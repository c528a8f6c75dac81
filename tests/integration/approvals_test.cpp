// Approvals over HTTP: an agent's request, seen live by its team and by the operators, decided
// once; and every refusal.

#include <gtest/gtest.h>

#include "support/server_process.h"

namespace ws::test {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

const std::string kAdmin = "approvals-admin-token";

class ApprovalRoutes : public ::testing::Test {
 protected:
  std::string create(json body) {
    auto r = admin_.post("/workspaces", body);
    EXPECT_EQ(r.status, 201) << r.body;
    return r.json()["id"];
  }
  std::string tokenOf(const std::string& id) { return admin_.post("/workspaces/" + id + "/tokens", json::object()).json()["auth_token"]; }

  ServerProcess server_{{}, {{"ADMIN_TOKEN", kAdmin}}};
  HttpClient admin_ = server_.client(kAdmin);
  std::string lead_ = create({{"name", "lead"}});
  std::string child_ = create({{"name", "child"}, {"parent_id", lead_}});
  std::string token_ = tokenOf(child_);
};

TEST_F(ApprovalRoutes, RequestedEscalatedAndDecided) {
  auto c = server_.client(token_);
  auto lead_stream = LiveClient::events(server_.port(), "/workspaces/" + lead_ + "/events/stream", {{"Authorization", "Bearer " + kAdmin}});
  auto hub = LiveClient::socket(server_.port(), "/ws", {{"Authorization", "Bearer " + kAdmin}});
  auto made = c.post("/workspaces/" + child_ + "/approvals",
                     {{"action", "drop the table"}, {"reason", "migration"}, {"task_id", "t-1"}, {"context", {{"table", "users"}}}});
  ASSERT_EQ(made.status, 201) << made.body;
  const std::string id = made.json()["approval_id"];
  EXPECT_EQ(made.json()["status"], "pending");

  auto requested = hub.waitFor([](const json& m) { return m["event"] == "APPROVAL_REQUESTED"; }, 5s);
  ASSERT_TRUE(requested) << "the canvas sees the request live";
  EXPECT_EQ((*requested)["workspace_id"], child_);
  EXPECT_EQ((*requested)["payload"]["approval_id"], id);
  auto escalated = lead_stream.waitFor([](const json& m) { return m["type"] == "APPROVAL_ESCALATED"; }, 5s);
  ASSERT_TRUE(escalated) << "the parent's watchers see it";
  EXPECT_EQ((*escalated)["data"]["from_workspace_id"], child_);

  const json listed = c.get("/workspaces/" + child_ + "/approvals").json();
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0], (json{{"id", id}, {"task_id", "t-1"}, {"action", "drop the table"}, {"reason", "migration"},
                             {"status", "pending"}, {"decided_by", nullptr}, {"decided_at", nullptr},
                             {"created_at", listed[0]["created_at"]}, {"context", {{"table", "users"}}}}));
  const json pending = admin_.get("/approvals/pending").json();
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(pending[0]["workspace_name"], "child");
  EXPECT_EQ(pending[0]["workspace_id"], child_);

  auto decided = c.post("/workspaces/" + child_ + "/approvals/" + id + "/decide", {{"decision", "denied"}, {"decided_by", "ops"}});
  ASSERT_EQ(decided.status, 200) << decided.body;
  EXPECT_EQ(decided.json(), (json{{"status", "denied"}, {"approval_id", id}}));
  auto denied = hub.waitFor([](const json& m) { return m["event"] == "APPROVAL_DENIED"; }, 5s);
  ASSERT_TRUE(denied);
  EXPECT_EQ((*denied)["payload"]["decided_by"], "ops");
  EXPECT_EQ(c.post("/workspaces/" + child_ + "/approvals/" + id + "/decide", {{"decision", "approved"}}).json()["error"],
            "approval not found or already decided");
  EXPECT_TRUE(admin_.get("/approvals/pending").json().empty());
  EXPECT_EQ(c.get("/workspaces/" + child_ + "/approvals").json()[0]["status"], "denied");
}

TEST_F(ApprovalRoutes, RefusalsChangeNothing) {
  auto c = server_.client(token_);
  const std::string path = "/workspaces/" + child_ + "/approvals";
  EXPECT_EQ(c.request("POST", path, "{\"action\":").status, 400);
  EXPECT_EQ(c.post(path, {{"reason", "no action"}}).json()["error"], "action is required");
  EXPECT_EQ(c.post(path, {{"action", "x"}, {"context", "not an object"}}).status, 400);
  EXPECT_EQ(c.post(path, {{"action", std::string(5000, 'a')}}).status, 413);
  EXPECT_EQ(c.post(path, {{"action", "x"}}, tokenOf(lead_)).status, 401) << "another workspace's token";
  EXPECT_EQ(c.get("/approvals/pending").status, 401) << "admin only";
  EXPECT_EQ(admin_.post("/workspaces/7c1d7d1e-0f7e-4a57-9a0b-3f8a1b2c3d4e/approvals", {{"action", "x"}}).status, 404);
  EXPECT_TRUE(c.get(path).json().empty());

  const std::string id = c.post(path, {{"action", "x"}}).json()["approval_id"];
  EXPECT_EQ(c.post(path + "/" + id + "/decide", {{"decision", "yes"}}).json()["error"], "decision must be 'approved' or 'denied'");
  EXPECT_EQ(c.post(path + "/" + id + "/decide", json::object()).status, 400);
  EXPECT_EQ(c.post(path + "/7c1d7d1e-0f7e-4a57-9a0b-3f8a1b2c3d4e/decide", {{"decision", "approved"}}).status, 404);
  EXPECT_EQ(c.post(path + "/not-an-id/decide", {{"decision", "approved"}}).json()["error"], "invalid approval id");
  EXPECT_EQ(admin_.post("/workspaces/" + lead_ + "/approvals/" + id + "/decide", {{"decision", "approved"}}).status, 404)
      << "decided through its own workspace only";
  EXPECT_EQ(c.get(path).json()[0]["status"], "pending");
}

}  // namespace
}  // namespace ws::test
