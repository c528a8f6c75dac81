// McpTools: the descriptors, argument checking (invalid params) apart from tool failures
// (isError), and each tool acting as the calling workspace.

#include "service/mcp_tools.h"

#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "support/fake_agent.h"
#include "support/service_stack.h"

namespace ws::test {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

class McpToolsTest : public ::testing::Test, protected ServiceStack {
 protected:
  McpToolsTest() {
    agent_.answer(200, json::parse(R"({"jsonrpc":"2.0","id":"1","result":{"kind":"message","role":"agent",
                                        "parts":[{"kind":"text","text":"on it"}]}})"));
    config_.allow_loopback_agents = true;
  }
  Workspace add(const std::string& name, const std::string& url, std::optional<std::string> parent = std::nullopt) {
    auto w = makeWorkspace(name, Status::online, std::move(parent));
    w.url = url;
    EXPECT_TRUE(store_->insertWorkspace(w, createdEvent(w)));
    return w;
  }
  McpTools::Outcome run(const Workspace& self, const std::string& name, const json& args) {
    auto r = tools_.call(self, name, args);
    EXPECT_TRUE(r) << name << ": " << r.error().message;
    return r ? *r : McpTools::Outcome{};
  }
  json runJson(const Workspace& self, const std::string& name, const json& args) {
    const auto out = run(self, name, args);
    EXPECT_FALSE(out.is_error) << out.text;
    return json::parse(out.text, nullptr, false);
  }
  bool invalid(const std::string& name, const json& args) {
    auto r = tools_.call(lead_, name, args);
    return !r && r.error().code == Errc::invalid_argument;
  }

  FakeAgent agent_;
  A2aDelivery a2a_{*store_, events_, workspaces_, config_};
  Delegations delegations_{*store_, events_, workspaces_, a2a_, Delegations::Options{30s, 10ms, 2}};
  McpTools tools_{*store_, workspaces_, a2a_, delegations_};
  Workspace lead_ = add("lead", "");
  Workspace peer_ = add("peer", agent_.url());
  Workspace child_ = add("child", agent_.url(), lead_.id);
};

TEST_F(McpToolsTest, DescriptorsNameEveryToolWithASchema) {
  std::set<std::string> names;
  for (const auto& t : McpTools::descriptors()) {
    names.insert(t["name"].get<std::string>());
    EXPECT_FALSE(t["description"].get<std::string>().empty());
    EXPECT_EQ(t["inputSchema"]["type"], "object");
  }
  EXPECT_EQ(names.size(), 8u);
  EXPECT_TRUE(names.contains("chat_history"));
}

TEST_F(McpToolsTest, ArgumentsOutsideTheSchemaAreInvalidParams) {
  EXPECT_TRUE(invalid("no_such_tool", json::object()));
  EXPECT_TRUE(invalid("list_peers", json::array()));
  EXPECT_TRUE(invalid("chat_history", {{"peer_id", 5}}));
  EXPECT_TRUE(invalid("chat_history", {{"peer_id", peer_.id}, {"limit", 2.5}}));
  EXPECT_TRUE(invalid("chat_history", {{"peer_id", peer_.id}, {"before_ts", 17}}));
  EXPECT_TRUE(invalid("commit_memory", {{"content", ""}}));
  EXPECT_TRUE(invalid("commit_memory", {{"content", "x"}, {"scope", "PRIVATE"}}));
  EXPECT_TRUE(invalid("commit_memory", {{"content", std::string(100001, 'x')}}));
  EXPECT_TRUE(invalid("recall_memory", {{"query", 3}}));
  EXPECT_TRUE(invalid("delegate_task", {{"workspace_id", "peer"}, {"task", "x"}}));
  EXPECT_TRUE(invalid("delegate_task_async", {{"task", "x"}}));
  EXPECT_TRUE(invalid("check_task_status", {{"workspace_id", peer_.id}}));
  // A limit past the largest is read as the largest, not refused.
  EXPECT_TRUE(tools_.call(lead_, "chat_history", {{"peer_id", peer_.id}, {"limit", 5000}}));
}

TEST_F(McpToolsTest, DelegateTaskWaitsForTheAnswerAndBecomesHistory) {
  const auto out = run(lead_, "delegate_task", {{"workspace_id", peer_.id}, {"task", "draft it"}});
  EXPECT_FALSE(out.is_error) << out.text;
  EXPECT_EQ(out.text, "on it");
  const json history = runJson(peer_, "chat_history", {{"peer_id", lead_.id}});
  ASSERT_EQ(history["turns"].size(), 1u) << history;
  EXPECT_EQ(history["turns"][0]["message"], "draft it");
  EXPECT_EQ(history["turns"][0]["reply"], "on it");
  EXPECT_EQ(history["turns"][0]["speaker"], "peer");
  EXPECT_EQ(history["turns"][0]["from"], lead_.id);

  EXPECT_TRUE(run(lead_, "delegate_task", {{"workspace_id", lead_.id}, {"task", "me"}}).is_error);
  const auto no_url = run(peer_, "delegate_task", {{"workspace_id", lead_.id}, {"task", "x"}});
  EXPECT_TRUE(no_url.is_error);
  EXPECT_NE(no_url.text.find("has no URL"), std::string::npos) << no_url.text;
}

TEST_F(McpToolsTest, AsyncTasksCanBeFollowed) {
  const json sent = runJson(lead_, "delegate_task_async", {{"workspace_id", peer_.id}, {"task", "later"}});
  EXPECT_EQ(sent["status"], "dispatched");
  delegations_.drain();
  const json status = runJson(lead_, "check_task_status", {{"workspace_id", peer_.id}, {"task_id", sent["task_id"]}});
  EXPECT_EQ(status["status"], "completed") << status;
  EXPECT_EQ(status["result"], "on it");
  EXPECT_EQ(runJson(lead_, "check_task_status", {{"workspace_id", child_.id}, {"task_id", sent["task_id"]}})["status"], "not_found")
      << "the task went elsewhere";
  EXPECT_EQ(runJson(peer_, "check_task_status", {{"workspace_id", peer_.id}, {"task_id", sent["task_id"]}})["status"], "not_found")
      << "another workspace's task";
}

TEST_F(McpToolsTest, PeersAndInfoFollowTheHierarchy) {
  std::set<std::string> peers;
  for (const auto& p : runJson(lead_, "list_peers", json::object())) peers.insert(p["name"].get<std::string>());
  EXPECT_EQ(peers, (std::set<std::string>{"peer", "child"}));
  const json parent = runJson(child_, "list_peers", json::object());
  ASSERT_EQ(parent.size(), 1u);
  EXPECT_EQ(parent[0]["id"], lead_.id);
  const json info = runJson(child_, "get_workspace_info", json::object());
  EXPECT_EQ(info["parent_id"], lead_.id);
  EXPECT_EQ(info["status"], "online");
  auto lonely = add("lonely", "", child_.id);
  ASSERT_TRUE(store_->markRemoved({child_.id}, {}));
  EXPECT_EQ(run(lonely, "list_peers", json::object()).text, "No peers found.");
}

TEST_F(McpToolsTest, MemoriesStayLocalOrTeamNeverGlobal) {
  EXPECT_EQ(runJson(lead_, "commit_memory", {{"content", "mine"}})["scope"], "LOCAL");
  EXPECT_EQ(runJson(peer_, "commit_memory", {{"content", "ours"}, {"scope", "team"}})["scope"], "TEAM");
  const auto global = run(lead_, "commit_memory", {{"content", "everyone's"}, {"scope", "global"}});
  EXPECT_TRUE(global.is_error);
  EXPECT_EQ(runJson(lead_, "recall_memory", json::object()).size(), 2u);
  EXPECT_EQ(runJson(lead_, "recall_memory", {{"scope", "TEAM"}}).size(), 1u);
  EXPECT_EQ(runJson(lead_, "recall_memory", {{"query", "MIN"}})[0]["content"], "mine");
  EXPECT_TRUE(run(lead_, "recall_memory", {{"scope", "GLOBAL"}}).is_error);
}

}  // namespace
}  // namespace ws::test
