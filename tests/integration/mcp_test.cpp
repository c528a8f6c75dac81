// The MCP bridge over HTTP: the JSON-RPC methods (initialize, notifications, tools/list,
// tools/call), every tool, chat_history's turns and paging, the SSE stream, JSON-RPC errors
// with their codes, the per-token rate limit, the body limit and foreign tokens.

#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "support/fake_agent.h"
#include "support/server_process.h"

namespace ws::test {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

const std::string kAdmin = "mcp-admin-token";

json send(const std::string& text, const std::string& message_id = "") {
  json message{{"role", "user"}, {"parts", {{{"kind", "text"}, {"text", text}}}}};
  if (!message_id.empty()) message["messageId"] = message_id;
  return {{"jsonrpc", "2.0"}, {"id", 1}, {"method", "message/send"}, {"params", {{"message", message}}}};
}

class McpRoutes : public ::testing::Test {
 protected:
  std::string create(const json& body) {
    auto r = admin_.post("/workspaces", body);
    EXPECT_EQ(r.status, 201) << r.body;
    return r.json()["id"];
  }
  std::string external(const std::string& name, FakeAgent& agent) {
    return create({{"name", name}, {"external", true}, {"url", agent.url()}});
  }
  std::string tokenOf(const std::string& id) {
    return admin_.post("/workspaces/" + id + "/tokens", json::object()).json()["auth_token"];
  }
  // One JSON-RPC message to /workspaces/<id>/mcp with `bearer`.
  HttpResult rpc(const std::string& id, const std::string& bearer, const std::string& body) {
    return admin_.request("POST", "/workspaces/" + id + "/mcp", body, {{"Authorization", "Bearer " + bearer}});
  }
  json call(const std::string& id, const std::string& bearer, const std::string& method, const json& params = json::object()) {
    auto r = rpc(id, bearer, json{{"jsonrpc", "2.0"}, {"id", 7}, {"method", method}, {"params", params}}.dump());
    EXPECT_EQ(r.status, 200) << r.body;
    const json j = r.json();
    EXPECT_EQ(j["jsonrpc"], "2.0");
    EXPECT_EQ(j["id"], 7);
    return j;
  }
  // tools/call of `tool` as workspace `id`: the result ({content, isError}).
  json tool(const std::string& id, const std::string& bearer, const std::string& name, const json& arguments) {
    const json j = call(id, bearer, "tools/call", {{"name", name}, {"arguments", arguments}});
    EXPECT_TRUE(j.contains("result")) << j;
    return j.value("result", json::object());
  }
  // chat_history's text, parsed.
  json history(const std::string& id, const std::string& bearer, const json& arguments) {
    const json result = tool(id, bearer, "chat_history", arguments);
    EXPECT_EQ(result["isError"], false) << result;
    EXPECT_EQ(result["content"][0]["type"], "text");
    return json::parse(result["content"][0]["text"].get<std::string>());
  }
  // `text` from workspace `from` (with its token) to `to`, through the A2A proxy.
  void message(const std::string& from, const std::string& token, const std::string& to, const std::string& text,
               const std::string& message_id = "") {
    std::this_thread::sleep_for(3ms);  // distinct millisecond timestamps, so paging has a boundary
    auto r = admin_.request("POST", "/workspaces/" + to + "/a2a", send(text, message_id).dump(),
                            {{"X-Workspace-ID", from}, {"Authorization", "Bearer " + token}});
    ASSERT_EQ(r.status, 200) << r.body;
  }
  static std::vector<std::string> texts(const json& turns, const char* field) {
    std::vector<std::string> out;
    for (const auto& t : turns) out.push_back(t[field].is_string() ? t[field].get<std::string>() : "null");
    return out;
  }

  FakeAgent agent_a_, agent_b_, agent_c_;
  ServerProcess server_{{"--allow-loopback-agents", "--mcp-ping-seconds", "1"}, {{"ADMIN_TOKEN", kAdmin}}};
  HttpClient admin_ = server_.client(kAdmin);
  std::string a_ = external("alice", agent_a_);
  std::string b_ = external("bob", agent_b_);
  std::string c_ = external("carol", agent_c_);
  std::string token_a_ = tokenOf(a_);
  std::string token_b_ = tokenOf(b_);
  std::string token_c_ = tokenOf(c_);
};

TEST_F(McpRoutes, InitializeNegotiatesTheProtocolAndOffersTools) {
  const json plain = call(a_, token_a_, "initialize");
  EXPECT_EQ(plain["result"]["protocolVersion"], "2024-11-05") << "the reference's, when the client names none";
  EXPECT_EQ(plain["result"]["capabilities"]["tools"], json({{"listChanged", false}}));
  EXPECT_EQ(plain["result"]["serverInfo"]["name"], "molecule-a2a");
  EXPECT_TRUE(plain["result"]["serverInfo"]["version"].is_string());
  EXPECT_EQ(call(a_, token_a_, "initialize", {{"protocolVersion", "2025-03-26"}})["result"]["protocolVersion"], "2025-03-26");
  EXPECT_EQ(call(a_, token_a_, "initialize", {{"protocolVersion", "1999-01-01"}})["result"]["protocolVersion"], "2025-06-18")
      << "an unknown revision gets the latest this server speaks";
  EXPECT_EQ(call(a_, token_a_, "ping")["result"], json::object());
}

TEST_F(McpRoutes, NotificationsAreAcceptedWithoutABody) {
  auto r = rpc(a_, token_a_, R"({"jsonrpc":"2.0","method":"notifications/initialized"})");
  EXPECT_EQ(r.status, 202);
  EXPECT_TRUE(r.body.empty()) << r.body;
  EXPECT_EQ(rpc(a_, token_a_, R"({"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":3}})").status, 202);
  // Sent as a request (with an id), as some clients of the reference do, it gets an empty result.
  EXPECT_EQ(call(a_, token_a_, "notifications/initialized")["result"], json::object());
}

TEST_F(McpRoutes, ToolsListNamesEveryTool) {
  const json tools = call(a_, token_a_, "tools/list")["result"]["tools"];
  std::set<std::string> names;
  for (const auto& t : tools) {
    names.insert(t["name"].get<std::string>());
    EXPECT_TRUE(t["description"].is_string());
    EXPECT_EQ(t["inputSchema"]["type"], "object") << t;
  }
  EXPECT_EQ(names, (std::set<std::string>{"chat_history", "list_peers", "get_workspace_info", "commit_memory", "recall_memory",
                                          "delegate_task", "delegate_task_async", "check_task_status"}));
  for (const auto& t : tools) {
    if (t["name"] == "chat_history") {
      EXPECT_EQ(t["inputSchema"]["required"], json({"peer_id"}));
    }
  }
}

TEST_F(McpRoutes, ErrorsCarryJsonRpcCodesWithStatus200) {
  const auto error = [&](const std::string& body) {
    auto r = rpc(a_, token_a_, body);
    EXPECT_EQ(r.status, 200) << body << " -> " << r.body;
    return r.json();
  };
  const json parse = error("{not json");
  EXPECT_EQ(parse["error"]["code"], -32700);
  EXPECT_TRUE(parse["id"].is_null());
  EXPECT_EQ(error("[]")["error"]["code"], -32600) << "no batches";
  EXPECT_EQ(error("42")["error"]["code"], -32600);
  EXPECT_EQ(error(R"({"jsonrpc":"1.0","id":1,"method":"ping"})")["error"]["code"], -32600);
  EXPECT_EQ(error(R"({"jsonrpc":"2.0","id":1,"method":5})")["error"]["code"], -32600);
  EXPECT_EQ(error(R"({"jsonrpc":"2.0","id":{"x":1},"method":"ping"})")["error"]["code"], -32600);
  const json unknown = error(R"({"jsonrpc":"2.0","id":"q-1","method":"resources/list"})");
  EXPECT_EQ(unknown["error"]["code"], -32601);
  EXPECT_EQ(unknown["id"], "q-1");
  EXPECT_EQ(error(R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":[1]})")["error"]["code"], -32602);
  const auto bad_call = [&](const json& params) {
    return error(json{{"jsonrpc", "2.0"}, {"id", 2}, {"method", "tools/call"}, {"params", params}}.dump())["error"];
  };
  EXPECT_EQ(bad_call(json::object())["code"], -32602) << "no tool name";
  EXPECT_EQ(bad_call({{"name", "rm_rf"}})["code"], -32602);
  EXPECT_EQ(bad_call({{"name", "rm_rf"}})["message"], "invalid params: unknown tool: rm_rf");
  EXPECT_EQ(bad_call({{"name", "chat_history"}, {"arguments", "peer"}})["code"], -32602);
  EXPECT_EQ(bad_call({{"name", "chat_history"}, {"arguments", json::object()}})["code"], -32602) << "peer_id is required";
  EXPECT_EQ(bad_call({{"name", "chat_history"}, {"arguments", {{"peer_id", "bob"}}}})["code"], -32602);
  EXPECT_EQ(bad_call({{"name", "chat_history"}, {"arguments", {{"peer_id", a_}}}})["code"], -32602) << "not with itself";
  EXPECT_EQ(bad_call({{"name", "chat_history"}, {"arguments", {{"peer_id", b_}, {"limit", "ten"}}}})["code"], -32602);
  EXPECT_EQ(bad_call({{"name", "chat_history"}, {"arguments", {{"peer_id", b_}, {"limit", 0}}}})["code"], -32602);
  EXPECT_EQ(bad_call({{"name", "chat_history"}, {"arguments", {{"peer_id", b_}, {"before_ts", "yesterday"}}}})["code"], -32602);
  EXPECT_EQ(bad_call({{"name", "delegate_task"}, {"arguments", {{"workspace_id", b_}}}})["code"], -32602) << "task is required";
  EXPECT_EQ(bad_call({{"name", "commit_memory"}, {"arguments", {{"content", "x"}, {"scope", "WORLD"}}}})["code"], -32602);
  // Nothing of it was stored.
  EXPECT_EQ(admin_.get("/workspaces/" + a_ + "/memories").json().size(), 0u);
}

TEST_F(McpRoutes, ChatHistoryReturnsThePairsTurnsNewestFirst) {
  message(a_, token_a_, b_, "one");
  message(b_, token_b_, a_, "two");
  message(a_, token_a_, b_, "three");
  message(a_, token_a_, c_, "to carol");
  message(b_, token_b_, c_, "bob to carol");
  ASSERT_EQ(admin_.post("/workspaces/" + b_ + "/a2a", send("from the canvas")).status, 200);

  const json mine = history(a_, token_a_, {{"peer_id", b_}});
  EXPECT_EQ(mine["peer_id"], b_);
  EXPECT_EQ(mine["order"], "newest_first");
  const json& turns = mine["turns"];
  ASSERT_EQ(turns.size(), 3u) << mine;
  EXPECT_EQ(texts(turns, "message"), (std::vector<std::string>{"three", "two", "one"}));
  EXPECT_EQ(texts(turns, "reply"), (std::vector<std::string>{"done", "done", "done"}));
  EXPECT_EQ(texts(turns, "speaker"), (std::vector<std::string>{"self", "peer", "self"}));
  EXPECT_EQ(turns[0]["from"], a_);
  EXPECT_EQ(turns[0]["to"], b_);
  EXPECT_EQ(turns[1]["from"], b_);
  EXPECT_EQ(turns[0]["method"], "message/send");
  EXPECT_EQ(turns[0]["status"], "ok");
  EXPECT_GT(turns[0]["at"].get<std::string>(), turns[1]["at"].get<std::string>());
  EXPECT_TRUE(mine["next_before_ts"].is_null()) << "everything fits in one page";

  // The peer sees the same turns from its side.
  const json theirs = history(b_, token_b_, {{"peer_id", a_}});
  EXPECT_EQ(texts(theirs["turns"], "message"), (std::vector<std::string>{"three", "two", "one"}));
  EXPECT_EQ(texts(theirs["turns"], "speaker"), (std::vector<std::string>{"peer", "self", "peer"}));

  // Only turns involving the caller: alice never sees bob's talk with carol.
  const json with_carol = history(a_, token_a_, {{"peer_id", c_}});
  EXPECT_EQ(texts(with_carol["turns"], "message"), (std::vector<std::string>{"to carol"}));
  EXPECT_EQ(history(c_, token_c_, {{"peer_id", b_}})["turns"].size(), 1u);
  EXPECT_TRUE(history(a_, token_a_, {{"peer_id", "7c1d7d1e-0f7e-4a57-9a0b-3f8a1b2c3d4e"}})["turns"].empty());
}

TEST_F(McpRoutes, BeforeTsPagesStrictlyOlderTurns) {
  for (const char* text : {"m1", "m2", "m3", "m4", "m5"}) message(a_, token_a_, b_, text);
  const json first = history(a_, token_a_, {{"peer_id", b_}, {"limit", 2}});
  EXPECT_EQ(texts(first["turns"], "message"), (std::vector<std::string>{"m5", "m4"}));
  const std::string cursor = first["next_before_ts"];
  EXPECT_EQ(cursor, first["turns"][1]["at"].get<std::string>());
  const json second = history(a_, token_a_, {{"peer_id", b_}, {"limit", 2}, {"before_ts", cursor}});
  EXPECT_EQ(texts(second["turns"], "message"), (std::vector<std::string>{"m3", "m2"}));
  const json last = history(a_, token_a_, {{"peer_id", b_}, {"limit", 2}, {"before_ts", second["next_before_ts"]}});
  EXPECT_EQ(texts(last["turns"], "message"), (std::vector<std::string>{"m1"}));
  EXPECT_TRUE(last["next_before_ts"].is_null());
  for (const auto& t : second["turns"]) EXPECT_LT(t["at"].get<std::string>(), cursor);

  // Any RFC 3339 form of the same instant pages alike; a limit past 100 is read as 100.
  std::string offset = cursor;
  offset.replace(offset.size() - 1, 1, "+00:00");
  EXPECT_EQ(history(a_, token_a_, {{"peer_id", b_}, {"before_ts", offset}})["turns"].size(), 3u);
  EXPECT_EQ(history(a_, token_a_, {{"peer_id", b_}, {"limit", 1000}})["turns"].size(), 5u);
}

TEST_F(McpRoutes, AnAgentsOwnReportOfAMessageIsNotASecondTurn) {
  message(a_, token_a_, b_, "reported twice", "msg-42");
  // The sender's runtime reports the message it sent (same messageId), and one the proxy never saw.
  const json same{{"activity_type", "a2a_send"}, {"target_id", b_}, {"method", "message/send"}, {"summary", "sent"},
                  {"request_body", send("reported twice", "msg-42")}};
  ASSERT_EQ(admin_.post("/workspaces/" + a_ + "/activity", same, token_a_).status, 200);
  const json direct{{"activity_type", "a2a_send"}, {"target_id", b_}, {"method", "message/send"}, {"summary", "sent"},
                    {"request_body", {{"task", "sent directly"}}}};
  ASSERT_EQ(admin_.post("/workspaces/" + a_ + "/activity", direct, token_a_).status, 200);
  const json turns = history(a_, token_a_, {{"peer_id", b_}})["turns"];
  EXPECT_EQ(texts(turns, "message"), (std::vector<std::string>{"sent directly", "reported twice"}));
  EXPECT_EQ(texts(turns, "reply"), (std::vector<std::string>{"null", "done"})) << "the proxy's row is the one kept";
}

TEST_F(McpRoutes, ForeignTokensReachNothing) {
  message(a_, token_a_, b_, "private");
  const std::string path = "/workspaces/" + a_ + "/mcp";
  const std::string list = json{{"jsonrpc", "2.0"}, {"id", 1}, {"method", "tools/list"}}.dump();
  EXPECT_EQ(admin_.request("POST", path, list, {{"Authorization", "Bearer " + token_c_}}).status, 401);
  EXPECT_EQ(admin_.request("POST", path, list, {{"Authorization", "Bearer nonsense"}}).status, 401);
  EXPECT_EQ(server_.client().request("POST", path, list).status, 401);
  EXPECT_EQ(streamStatus(server_.port(), path + "/stream", {{"Authorization", "Bearer " + token_c_}}), 401);
  EXPECT_EQ(streamStatus(server_.port(), path + "/stream", {}), 401);
  // Carol's own bridge answers as carol: her history with bob is empty, alice's stays hers.
  EXPECT_TRUE(history(c_, token_c_, {{"peer_id", b_}})["turns"].empty());
  // The admin token acts as the workspace named in the path.
  EXPECT_EQ(history(a_, kAdmin, {{"peer_id", b_}})["turns"].size(), 1u);
  EXPECT_EQ(admin_.get(path).status, 405);
  EXPECT_EQ(rpc("7c1d7d1e-0f7e-4a57-9a0b-3f8a1b2c3d4e", kAdmin, list).status, 404);
}

TEST_F(McpRoutes, StreamAnnouncesTheEndpointThenPings) {
  auto stream = LiveClient::events(server_.port(), "/workspaces/" + a_ + "/mcp/stream", {{"Authorization", "Bearer " + token_a_}});
  EXPECT_EQ(stream.nextBlock(2s), "event: endpoint\ndata: /workspaces/" + a_ + "/mcp") << "the first thing sent";
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(stream.nextBlock(3s), ": ping");  // every --mcp-ping-seconds (1 here; 30 by default)
  EXPECT_EQ(stream.nextBlock(3s), ": ping");
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 1500ms) << "pings come after silence, not at once";
}

TEST_F(McpRoutes, EachTokenHas120RequestsAMinute) {
  const std::string ping = json{{"jsonrpc", "2.0"}, {"id", 1}, {"method", "ping"}}.dump();
  for (int i = 0; i < 120; ++i) {
    auto r = rpc(a_, token_a_, ping);
    ASSERT_EQ(r.status, 200) << "request " << i << ": " << r.body;
    if (i == 0) {
      EXPECT_EQ(r.headers["X-RateLimit-Limit"], "120");
    }
  }
  auto refused = rpc(a_, token_a_, ping);
  EXPECT_EQ(refused.status, 429);
  EXPECT_EQ(refused.json()["error"], "rate limit exceeded");
  EXPECT_FALSE(refused.headers["Retry-After"].empty());
  EXPECT_EQ(refused.headers["X-RateLimit-Remaining"], "0");
  EXPECT_EQ(streamStatus(server_.port(), "/workspaces/" + a_ + "/mcp/stream", {{"Authorization", "Bearer " + token_a_}}), 429)
      << "the stream counts against the same token";
  EXPECT_EQ(rpc(a_, kAdmin, ping).status, 200) << "another token has its own allowance";
  EXPECT_EQ(rpc(b_, token_b_, ping).status, 200);
}

TEST_F(McpRoutes, BodiesPastTheLimitAreRefused) {
  const std::string huge = json{{"jsonrpc", "2.0"}, {"id", 1}, {"method", "tools/call"},
                                {"params", {{"name", "commit_memory"}, {"arguments", {{"content", std::string(1100000, 'x')}}}}}}
                               .dump();
  EXPECT_EQ(rpc(a_, token_a_, huge).status, 413);
  EXPECT_EQ(admin_.get("/workspaces/" + a_ + "/memories").json().size(), 0u);
}

TEST_F(McpRoutes, WorkspaceToolsActAsTheCaller) {
  const json info = json::parse(tool(a_, token_a_, "get_workspace_info", json::object())["content"][0]["text"].get<std::string>());
  EXPECT_EQ(info["id"], a_);
  EXPECT_EQ(info["name"], "alice");
  EXPECT_EQ(info.count("parent_id"), 0u);

  const json peers = json::parse(tool(a_, token_a_, "list_peers", json::object())["content"][0]["text"].get<std::string>());
  std::set<std::string> names;
  for (const auto& p : peers) names.insert(p["name"].get<std::string>());
  EXPECT_EQ(names, (std::set<std::string>{"bob", "carol"}));

  const json saved = tool(a_, token_a_, "commit_memory", {{"content", "the deploy key is sk-abcdefghijklmnopqrstuvwxyz0123"}});
  EXPECT_EQ(saved["isError"], false) << saved;
  EXPECT_EQ(json::parse(saved["content"][0]["text"].get<std::string>())["scope"], "LOCAL");
  ASSERT_EQ(tool(b_, token_b_, "commit_memory", {{"content", "bob's team note"}, {"scope", "team"}})["isError"], false);
  const json global = tool(a_, token_a_, "commit_memory", {{"content", "for everyone"}, {"scope", "GLOBAL"}});
  EXPECT_EQ(global["isError"], true);
  EXPECT_NE(global["content"][0]["text"].get<std::string>().find("GLOBAL"), std::string::npos);

  const json recalled = json::parse(tool(a_, token_a_, "recall_memory", json::object())["content"][0]["text"].get<std::string>());
  ASSERT_EQ(recalled.size(), 2u) << recalled;
  std::string all;
  for (const auto& m : recalled) all += m["content"].get<std::string>() + "|";
  EXPECT_EQ(all.find("sk-abc"), std::string::npos) << "redacted before storage: " << all;
  EXPECT_NE(all.find("bob's team note"), std::string::npos) << "a peer's TEAM memory";
  EXPECT_EQ(json::parse(tool(a_, token_a_, "recall_memory", {{"scope", "LOCAL"}})["content"][0]["text"].get<std::string>()).size(), 1u);
  EXPECT_EQ(tool(a_, token_a_, "recall_memory", {{"query", "nothing like it"}})["content"][0]["text"], "No memories found.");
  EXPECT_EQ(tool(a_, token_a_, "recall_memory", {{"scope", "GLOBAL"}})["isError"], true);
  EXPECT_EQ(tool(c_, token_c_, "recall_memory", {{"scope", "LOCAL"}})["content"][0]["text"], "No memories found.");
}

TEST_F(McpRoutes, DelegationToolsReachThePeer) {
  const json answered = tool(a_, token_a_, "delegate_task", {{"workspace_id", b_}, {"task", "summarise"}});
  EXPECT_EQ(answered["isError"], false) << answered;
  EXPECT_EQ(answered["content"][0]["text"], "done");
  ASSERT_EQ(agent_b_.received().size(), 1u);
  EXPECT_EQ(agent_b_.received()[0]["params"]["message"]["metadata"]["peer_id"], a_) << "sent as alice";
  // It went through the proxy's delivery, so it is part of the pair's history.
  EXPECT_EQ(texts(history(b_, token_b_, {{"peer_id", a_}})["turns"], "message"), (std::vector<std::string>{"summarise"}));
  EXPECT_EQ(tool(a_, token_a_, "delegate_task", {{"workspace_id", a_}, {"task", "me"}})["isError"], true);
  EXPECT_EQ(tool(a_, token_a_, "delegate_task", {{"workspace_id", "7c1d7d1e-0f7e-4a57-9a0b-3f8a1b2c3d4e"}, {"task", "x"}})["isError"], true);

  const json dispatched = json::parse(
      tool(a_, token_a_, "delegate_task_async", {{"workspace_id", c_}, {"task", "later"}})["content"][0]["text"].get<std::string>());
  EXPECT_EQ(dispatched["status"], "dispatched");
  const std::string task_id = dispatched["task_id"];
  json status;
  for (int i = 0; i < 100; ++i) {
    status = json::parse(tool(a_, token_a_, "check_task_status", {{"workspace_id", c_}, {"task_id", task_id}})["content"][0]["text"]
                             .get<std::string>());
    if (status["status"] == "completed") break;
    std::this_thread::sleep_for(50ms);
  }
  EXPECT_EQ(status["status"], "completed") << status;
  EXPECT_EQ(status["result"], "done");
  const json other = json::parse(
      tool(b_, token_b_, "check_task_status", {{"workspace_id", c_}, {"task_id", task_id}})["content"][0]["text"].get<std::string>());
  EXPECT_EQ(other["status"], "not_found") << "another workspace's task";
}

TEST_F(McpRoutes, ARemovedWorkspaceHasNoBridge) {
  ASSERT_EQ(admin_.request("DELETE", "/workspaces/" + a_).status, 200);
  EXPECT_EQ(rpc(a_, kAdmin, json{{"jsonrpc", "2.0"}, {"id", 1}, {"method", "tools/list"}}.dump()).status, 404);
}

}  // namespace
}  // namespace ws::test
