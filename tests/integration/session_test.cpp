// Session search, the transcript and the traces over HTTP, in the reference's shapes, with
// their refusals.

#include <gtest/gtest.h>

#include "support/fake_agent.h"
#include "support/server_process.h"

namespace ws::test {
namespace {

using nlohmann::json;

const std::string kAdmin = "session-admin-token";

class SessionRoutes : public ::testing::Test {
 protected:
  void SetUp() override {
    for (int i = 0; i < 3; ++i)
      ASSERT_EQ(c_.post("/workspaces/" + id_ + "/activity", {{"activity_type", "agent_log"}, {"summary", "Step " + std::to_string(i)},
                                                                 {"method", i == 2 ? "review" : "work"}})
                    .status,
                200);
    ASSERT_EQ(c_.post("/workspaces/" + id_ + "/memories", {{"content", "the review found two bugs"}}).status, 201);
  }

  ServerProcess server_{{}, {{"ADMIN_TOKEN", kAdmin}}};
  HttpClient admin_ = server_.client(kAdmin);
  std::string id_ = admin_.post("/workspaces", {{"name", "worker"}}).json()["id"];
  std::string token_ = admin_.post("/workspaces/" + id_ + "/tokens", json::object()).json()["auth_token"];
  HttpClient c_ = server_.client(token_);
};

TEST_F(SessionRoutes, SearchFindsActivityAndMemories) {
  const json hits = c_.get("/workspaces/" + id_ + "/session-search?q=REVIEW").json();
  ASSERT_EQ(hits.size(), 2u) << hits;
  // Written within the same millisecond, either may come first.
  const bool memory_first = hits[0]["kind"] == "memory";
  const json& memory = hits[memory_first ? 0 : 1];
  const json& activity = hits[memory_first ? 1 : 0];
  EXPECT_EQ(memory["kind"], "memory");
  EXPECT_EQ(memory["label"], "LOCAL");
  EXPECT_EQ(memory["content"], "the review found two bugs");
  EXPECT_EQ(activity["kind"], "activity");
  EXPECT_EQ(activity["label"], "agent_log");
  EXPECT_EQ(activity["content"], "Step 2");
  EXPECT_EQ(activity["method"], "review");
  EXPECT_EQ(activity["status"], "ok");
  EXPECT_TRUE(activity["id"].is_string());
  EXPECT_EQ(activity["workspace_id"], id_);
  EXPECT_EQ(c_.get("/workspaces/" + id_ + "/session-search").json().size(), 4u);
  EXPECT_EQ(c_.get("/workspaces/" + id_ + "/session-search?limit=1").json().size(), 1u);
  EXPECT_EQ(c_.get("/workspaces/" + id_ + "/session-search?limit=many").status, 400);
  EXPECT_EQ(c_.get("/workspaces/" + id_ + "/session-search?q=" + std::string(1001, 'q')).status, 400);
}

TEST_F(SessionRoutes, TheTranscriptIsPolledWithItsCursor) {
  const json first = c_.get("/workspaces/" + id_ + "/transcript?limit=2").json();
  EXPECT_EQ(first["supported"], true);
  EXPECT_EQ(first["runtime"], "langgraph");
  EXPECT_EQ(first["source"], "activity_log");
  EXPECT_EQ(first["more"], true);
  ASSERT_EQ(first["lines"].size(), 2u);
  EXPECT_EQ(first["lines"][0]["summary"], "Step 0");
  EXPECT_EQ(first["lines"][0]["activity_type"], "agent_log");
  const int cursor = first["cursor"];
  const json rest = c_.get("/workspaces/" + id_ + "/transcript?since=" + std::to_string(cursor)).json();
  ASSERT_EQ(rest["lines"].size(), 1u);
  EXPECT_EQ(rest["lines"][0]["summary"], "Step 2");
  EXPECT_EQ(rest["more"], false);
  EXPECT_EQ(c_.get("/workspaces/" + id_ + "/transcript?since=" + rest["cursor"].dump()).json()["lines"].size(), 0u);
}

// The agent's runs: each message it handled (a2a_receive), newest first, as Langfuse lists traces.
TEST_F(SessionRoutes, TracesAreTheAgentsRunsInLangfusesShape) {
  const json trace_rows = c_.get("/workspaces/" + id_ + "/traces").json();
  EXPECT_EQ(trace_rows, json({{"data", json::array()}})) << "agent_log rows are no runs";
  const json tools = json::array({{{"tool", "search"}, {"input", "q"}}, {{"tool", "write"}}});
  ASSERT_EQ(c_.post("/workspaces/" + id_ + "/activity",
                    {{"activity_type", "a2a_receive"}, {"method", "message/send"}, {"summary", "answered"},
                     {"request_body", {{"text", "find it"}}}, {"response_body", {{"text", "found"}}},
                     {"tool_trace", tools}, {"duration_ms", 1250}})
                .status,
            200);
  ASSERT_EQ(c_.post("/workspaces/" + id_ + "/activity",
                    {{"activity_type", "a2a_receive"}, {"method", "message/send"}, {"status", "error"}, {"error_detail", "model down"}})
                .status,
            200);
  const json data = c_.get("/workspaces/" + id_ + "/traces").json()["data"];
  ASSERT_EQ(data.size(), 2u) << data;
  const json& failed = data[0];
  EXPECT_EQ(failed["status"], "ERROR");
  EXPECT_EQ(failed["metadata"]["error_detail"], "model down");
  EXPECT_TRUE(failed["latency"].is_null());
  EXPECT_TRUE(failed["input"].is_null());
  EXPECT_EQ(failed["observations"], json::array());
  const json& run = data[1];
  EXPECT_TRUE(run["id"].is_string());
  EXPECT_EQ(run["name"], "message/send");
  EXPECT_EQ(run["status"], "OK");
  EXPECT_EQ(run["input"], json({{"text", "find it"}}));
  EXPECT_EQ(run["output"], json({{"text", "found"}}));
  EXPECT_EQ(run["latency"], 1250);
  EXPECT_EQ(run["observations"], tools);
  EXPECT_EQ(run["tags"], json::array({id_}));
  EXPECT_EQ(run["userId"], id_) << "the agent reported it as itself";
  EXPECT_EQ(run["metadata"]["summary"], "answered");
  EXPECT_TRUE(run["timestamp"].is_string());
  EXPECT_EQ(c_.get("/workspaces/" + id_ + "/traces?limit=1").json()["data"].size(), 1u);
  EXPECT_EQ(c_.get("/workspaces/" + id_ + "/traces?limit=5000").json()["data"].size(), 2u) << "capped, not refused";
}

// A message through the A2A proxy is a run of the target's agent.
TEST(SessionTraces, AMessageThroughTheProxyIsATraceOfTheTarget) {
  FakeAgent agent;
  agent.answer(200, json::parse(R"({"jsonrpc":"2.0","id":1,"result":{"kind":"message","parts":[{"kind":"text","text":"hi back"}]}})"));
  ServerProcess server({"--allow-loopback-agents"}, {{"ADMIN_TOKEN", kAdmin}});
  auto admin = server.client(kAdmin);
  const std::string id = admin.post("/workspaces", {{"name", "echo"}, {"external", true}, {"url", agent.url()}}).json()["id"];
  const json send{{"method", "message/send"}, {"params", {{"message", {{"role", "user"}, {"parts", {{{"kind", "text"}, {"text", "hi"}}}}}}}}};
  ASSERT_EQ(admin.post("/workspaces/" + id + "/a2a", send).status, 200);
  const json data = admin.get("/workspaces/" + id + "/traces").json()["data"];
  ASSERT_EQ(data.size(), 1u) << data;
  EXPECT_EQ(data[0]["name"], "message/send");
  EXPECT_EQ(data[0]["status"], "OK");
  EXPECT_TRUE(data[0]["userId"].is_null()) << "sent from the canvas";
  EXPECT_EQ(data[0]["input"]["params"]["message"]["parts"][0]["text"], "hi");
  EXPECT_NE(data[0]["output"].dump().find("hi back"), std::string::npos) << data[0];
  EXPECT_TRUE(data[0]["latency"].is_number_integer());
}

TEST_F(SessionRoutes, Refusals) {
  const std::string other = admin_.post("/workspaces", {{"name", "other"}}).json()["id"];
  const std::string foreign = admin_.post("/workspaces/" + other + "/tokens", json::object()).json()["auth_token"];
  EXPECT_EQ(c_.get("/workspaces/" + id_ + "/session-search", foreign).status, 401);
  EXPECT_EQ(c_.get("/workspaces/" + id_ + "/transcript", foreign).status, 401);
  EXPECT_EQ(c_.get("/workspaces/" + id_ + "/traces", foreign).status, 401);
  EXPECT_EQ(server_.client().get("/workspaces/" + id_ + "/traces").status, 401);
  EXPECT_EQ(admin_.get("/workspaces/7c1d7d1e-0f7e-4a57-9a0b-3f8a1b2c3d4e/session-search").status, 404);
  EXPECT_EQ(admin_.get("/workspaces/7c1d7d1e-0f7e-4a57-9a0b-3f8a1b2c3d4e/transcript").status, 404);
  EXPECT_EQ(admin_.get("/workspaces/7c1d7d1e-0f7e-4a57-9a0b-3f8a1b2c3d4e/traces").status, 404);
  EXPECT_EQ(admin_.get("/workspaces/not-a-uuid/traces").status, 400);
  EXPECT_EQ(c_.get("/workspaces/" + id_ + "/traces?limit=0").status, 400);
  EXPECT_EQ(c_.get("/workspaces/" + id_ + "/traces?limit=many").json()["error"], "limit must be a positive integer");
  auto bad = c_.get("/workspaces/" + id_ + "/transcript?since=-1");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.json()["error"], "since and limit must be integers");
  EXPECT_EQ(c_.get("/workspaces/" + id_ + "/transcript?limit=0").status, 400);
  EXPECT_EQ(c_.get("/workspaces/" + id_ + "/transcript?since=abc").status, 400);
  EXPECT_EQ(c_.get("/workspaces/" + id_ + "/transcript?limit=5000").json()["lines"].size(), 3u) << "capped, not refused";
}

}  // namespace
}  // namespace ws::test
