// Shapes the reference's clients rely on: orderings, paging, defaults and error texts.

#include <gtest/gtest.h>

#include "support/server_process.h"

namespace ws::test {
namespace {

using nlohmann::json;

const std::string kAdmin = "shapes-admin-token";

class ReferenceShapes : public ::testing::Test {
 protected:
  ServerProcess server_{{}, {{"ADMIN_TOKEN", kAdmin}}};
  HttpClient admin_ = server_.client(kAdmin);
  std::string id_ = admin_.post("/workspaces", {{"name", "shapes"}}).json()["id"];
  std::string token_ = admin_.post("/workspaces/" + id_ + "/tokens", json::object()).json()["auth_token"];
};

TEST_F(ReferenceShapes, EventsComeNewestFirstCappedAtAHundred) {
  for (int i = 0; i < 105; ++i)
    ASSERT_EQ(admin_.request("PATCH", "/workspaces/" + id_, json{{"name", "n" + std::to_string(i)}}.dump()).status, 200);
  for (const std::string& path : {std::string("/events"), "/events/" + id_}) {
    const auto events = admin_.get(path).json();
    ASSERT_EQ(events.size(), 100u) << path;
    EXPECT_EQ(events[0]["payload"]["name"], "n104") << path << ": the newest first";
    EXPECT_GT(events[0]["id"].get<long>(), events[1]["id"].get<long>()) << path;
  }
}

TEST_F(ReferenceShapes, TokensAreListedNewestFirstInPages) {
  std::vector<std::string> prefixes;  // oldest first; the fixture's token is the first
  const auto first = admin_.get("/workspaces/" + id_ + "/tokens").json();
  for (const auto& t : first["tokens"]) prefixes.push_back(t["prefix"]);
  for (int i = 0; i < 4; ++i) {
    const std::string token = admin_.post("/workspaces/" + id_ + "/tokens", json::object()).json()["auth_token"];
    prefixes.push_back(token.substr(0, 8));
  }
  const auto page = [&](const std::string& query) {
    std::vector<std::string> out;
    const auto body = admin_.get("/workspaces/" + id_ + "/tokens" + query).json();
    for (const auto& t : body["tokens"]) out.push_back(t["prefix"]);
    EXPECT_EQ(body["count"], out.size()) << query;
    return out;
  };
  EXPECT_EQ(page(""), (std::vector<std::string>{prefixes[4], prefixes[3], prefixes[2], prefixes[1], prefixes[0]}));
  EXPECT_EQ(page("?limit=2"), (std::vector<std::string>{prefixes[4], prefixes[3]}));
  EXPECT_EQ(page("?limit=2&offset=2"), (std::vector<std::string>{prefixes[2], prefixes[1]}));
  EXPECT_EQ(page("?offset=9").size(), 0u);
  EXPECT_EQ(page("?limit=0").size(), 5u) << "out of range falls back to the default, as the reference";
  EXPECT_EQ(page("?limit=abc&offset=-1").size(), 5u);
}

TEST_F(ReferenceShapes, AgentActivityDefaultsItsSourceAndNamesTheTypes) {
  auto agent = server_.client(token_);
  auto logged = agent.post("/workspaces/" + id_ + "/activity", {{"activity_type", "agent_log"}, {"summary", "hi"}});
  ASSERT_EQ(logged.status, 200) << logged.body;
  const auto rows = admin_.get("/workspaces/" + id_ + "/activity").json();
  ASSERT_FALSE(rows.empty());
  EXPECT_EQ(rows[0]["source_id"], id_) << "an agent's report comes from its workspace";
  auto bad = agent.post("/workspaces/" + id_ + "/activity", {{"activity_type", "gossip"}});
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.json()["error"],
            "invalid activity_type, must be one of: a2a_send, a2a_receive, task_update, agent_log, skill_promotion, "
            "memory_write, error");
  const std::string other = admin_.post("/workspaces", {{"name", "other"}}).json()["id"];
  auto foreign = agent.post("/workspaces/" + id_ + "/activity", {{"activity_type", "agent_log"}, {"source_id", other}});
  EXPECT_EQ(foreign.status, 403);
  EXPECT_EQ(foreign.json()["error"], "source_id must match authenticated workspace");
}

TEST_F(ReferenceShapes, TheCurrentTaskIsShownToTheWorkspacesOwnersOnly) {
  auto agent = server_.client(token_);
  ASSERT_EQ(agent.post("/registry/heartbeat", {{"workspace_id", id_}, {"current_task", "writing the report"}}).status, 200);
  EXPECT_EQ(admin_.get("/workspaces/" + id_).json()["current_task"], "writing the report");
  EXPECT_EQ(agent.get("/workspaces/" + id_).json()["current_task"], "writing the report");
  const auto anonymous = server_.client().get("/workspaces/" + id_).json();
  EXPECT_FALSE(anonymous.contains("current_task")) << "the route is open";
  EXPECT_TRUE(anonymous.contains("last_outbound_at"));
  const std::string other = admin_.post("/workspaces", {{"name", "other"}}).json()["id"];
  const std::string other_token = admin_.post("/workspaces/" + other + "/tokens", json::object()).json()["auth_token"];
  EXPECT_FALSE(server_.client(other_token).get("/workspaces/" + id_).json().contains("current_task"));
}

}  // namespace
}  // namespace ws::test
