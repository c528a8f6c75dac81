// The MCP bridge through the real server on the backend under test: two agents talk through the
// A2A proxy, then one of them, asked in chat, calls chat_history over MCP from inside its
// workload (container or instance) with its own token, and answers with the turns.

#include <thread>

#include "core/util.h"
#include "harness.h"
#include "support/backend_env.h"

namespace ws::contract {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using test::kBackendAdmin;

json send(const std::string& text) {
  return {{"method", "message/send"},
          {"params", {{"message", {{"role", "user"}, {"parts", {{{"kind", "text"}, {"text", text}}}}}}}}};
}

std::string createOnline(test::HttpClient& c, const std::string& name) {
  auto created = c.post("/workspaces", {{"name", name}, {"tier", 2}});
  if (created.status != 201) throw StepFailed("create: " + std::to_string(created.status) + " " + created.body);
  const std::string id = created.json()["id"];
  if (test::waitForStatus(c, id, "online", 30s) != "online") throw StepFailed("workspace " + id + " never came online");
  return id;
}

std::vector<std::string> field(const json& turns, const char* name) {
  std::vector<std::string> out;
  for (const auto& t : turns) out.push_back(t[name].is_string() ? t[name].get<std::string>() : "null");
  return out;
}

CONTRACT_SCENARIO(mcp_chat_history, TheAgentInItsWorkloadReadsItsHistoryWithAPeer) {
  auto& env = bench.server();
  test::ServerProcess server(env.serverArgs(), env.serverEnv());
  auto c = server.client(kBackendAdmin);
  const std::string asker = createOnline(c, "asker");
  const std::string answerer = createOnline(c, "answerer");
  const std::string asker_token = c.post("/workspaces/" + asker + "/tokens", json::object()).json()["auth_token"];
  const std::string answerer_token = c.post("/workspaces/" + answerer + "/tokens", json::object()).json()["auth_token"];
  const auto say = [&](const std::string& from, const std::string& token, const std::string& to, const std::string& text) {
    std::this_thread::sleep_for(5ms);  // distinct millisecond timestamps, so paging has a boundary
    auto r = c.request("POST", "/workspaces/" + to + "/a2a", send(text).dump(),
                       {{"X-Workspace-ID", from}, {"Authorization", "Bearer " + token}});
    if (r.status != 200) throw StepFailed("A2A " + from + " -> " + to + ": " + std::to_string(r.status) + " " + r.body);
  };
  say(asker, asker_token, answerer, "first question");
  say(answerer, answerer_token, asker, "a question back");
  say(asker, asker_token, answerer, "second question");

  // Asked in chat, the asker's agent calls the bridge itself and answers with the tool's text.
  auto asked = c.post("/workspaces/" + asker + "/a2a", send("/chat_history " + answerer));
  ASSERT_EQ(asked.status, 200) << asked.body;
  const std::string text = asked.json()["result"]["parts"][0]["text"];
  const json history = json::parse(text, nullptr, false);
  ASSERT_TRUE(history.is_object()) << "the agent did not answer with the tool's text: " << text;
  const json& turns = history["turns"];
  EXPECT_EQ(field(turns, "message"), (std::vector<std::string>{"second question", "a question back", "first question"})) << text;
  EXPECT_EQ(field(turns, "reply"),
            (std::vector<std::string>{"echo: second question", "echo: a question back", "echo: first question"}));
  EXPECT_EQ(field(turns, "speaker"), (std::vector<std::string>{"self", "peer", "self"}));
  EXPECT_EQ(field(turns, "from"), (std::vector<std::string>{asker, answerer, asker}));

  // Paging with before_ts, called directly: strictly older turns only.
  const auto call = [&](const std::string& id, const std::string& token, const json& arguments) {
    const json body{{"jsonrpc", "2.0"}, {"id", 1}, {"method", "tools/call"}, {"params", {{"name", "chat_history"}, {"arguments", arguments}}}};
    auto r = c.request("POST", "/workspaces/" + id + "/mcp", body.dump(), {{"Authorization", "Bearer " + token}});
    if (r.status != 200) throw StepFailed("chat_history: " + std::to_string(r.status) + " " + r.body);
    const json result = r.json()["result"];
    if (result.value("isError", true)) throw StepFailed("chat_history failed: " + r.body);
    return json::parse(result["content"][0]["text"].get<std::string>());
  };
  const json page = call(asker, asker_token, {{"peer_id", answerer}, {"limit", 2}});
  EXPECT_EQ(field(page["turns"], "message"), (std::vector<std::string>{"second question", "a question back"}));
  const std::string cursor = page["next_before_ts"];
  const json older = call(asker, asker_token, {{"peer_id", answerer}, {"before_ts", cursor}});
  EXPECT_EQ(field(older["turns"], "message"), (std::vector<std::string>{"first question"}));
  EXPECT_LT(older["turns"][0]["at"].get<std::string>(), cursor);

  // The peer reads the same turns from its side; neither token reaches the other's bridge.
  EXPECT_EQ(field(call(answerer, answerer_token, {{"peer_id", asker}})["turns"], "speaker"),
            (std::vector<std::string>{"peer", "self", "peer"}));
  const std::string list = json{{"jsonrpc", "2.0"}, {"id", 1}, {"method", "tools/list"}}.dump();
  EXPECT_EQ(c.request("POST", "/workspaces/" + asker + "/mcp", list, {{"Authorization", "Bearer " + answerer_token}}).status, 401);

  // A peer may ask an agent only about their own conversation, never the agent's with a third.
  auto prying = c.request("POST", "/workspaces/" + asker + "/a2a", send("/chat_history " + newUuid()).dump(),
                          {{"X-Workspace-ID", answerer}, {"Authorization", "Bearer " + answerer_token}});
  ASSERT_EQ(prying.status, 200) << prying.body;
  EXPECT_EQ(prying.json()["result"]["parts"][0]["text"], "chat_history refused: a peer may ask only about itself");
}

}  // namespace
}  // namespace ws::contract
