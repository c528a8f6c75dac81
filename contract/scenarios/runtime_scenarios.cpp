// The agent runtime's own health through the real server on the backend under test: the
// smoke gate after the first execute reports a wedged runtime, and the platform degrades the
// workspace with the reason. The reference model runs no agent: not run there.

#include <algorithm>

#include "harness.h"
#include "support/backend_env.h"

namespace ws::contract {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using test::kBackendAdmin;
using test::waitForStatus;

const json kMessage{{"method", "message/send"},
                    {"params", {{"message", {{"role", "user"}, {"parts", {{{"kind", "text"}, {"text", "first task"}}}}}}}}};

std::string bootLog(test::HttpClient& c, const std::string& id) {
  auto r = c.get("/workspaces/" + id + "/boot-log");
  return r.status == 200 ? r.json().value("output", "") : "";
}

CONTRACT_SCENARIO(runtime_wedge_gate, AWedgedRuntimeDegradesTheWorkspaceWithItsReason) {
  auto& env = bench.server();
  test::ServerProcess server(env.serverArgs(), env.serverEnv());
  auto c = server.client(kBackendAdmin);
  // The secret reaches the agent's environment: its runtime stops answering after the first execute.
  auto created = c.post("/workspaces", {{"name", "wedger"},
                                        {"tier", 2},
                                        {"secrets", {{"AGENT_WEDGE_AFTER_FIRST_EXECUTE", "1"}, {"AGENT_SMOKE_DEADLINE_MS", "500"}}}});
  if (created.status != 201) throw StepFailed("create: " + created.body);
  const std::string id = created.json()["id"];
  if (waitForStatus(c, id, "online", 30s) != "online") throw StepFailed("workspace never came online");
  auto hub = test::LiveClient::socket(server.port(), "/ws", {{"Authorization", "Bearer " + kBackendAdmin}});

  // The first message is answered; the smoke check after it finds the runtime wedged.
  auto answered = c.post("/workspaces/" + id + "/a2a", kMessage);
  ASSERT_EQ(answered.status, 200) << answered.body;
  EXPECT_NE(answered.body.find("echo: first task"), std::string::npos) << answered.body;
  ASSERT_EQ(waitForStatus(c, id, "degraded", 30s), "degraded") << bootLog(c, id);

  const std::string reason = "runtime smoke check failed: no answer to a trivial execute within 500 ms";
  const json one = c.get("/workspaces/" + id).json();
  EXPECT_NE(one.value("last_sample_error", "").find(reason), std::string::npos) << one;
  const json all = c.get("/workspaces").json();
  const auto listed = std::find_if(all.begin(), all.end(), [&](const json& w) { return w["id"] == id; });
  ASSERT_NE(listed, all.end());
  EXPECT_NE((*listed).value("last_sample_error", "").find(reason), std::string::npos) << *listed;

  // Recorded as a structure event, and broadcast live.
  const json events = c.get("/events/" + id).json();
  const auto degraded = std::find_if(events.begin(), events.end(), [](const json& e) { return e["event_type"] == "WORKSPACE_DEGRADED"; });
  ASSERT_NE(degraded, events.end()) << events;
  const json payload = (*degraded)["payload"];
  EXPECT_EQ(payload["runtime_state"], "wedged") << payload;
  EXPECT_NE(payload.value("sample_error", "").find(reason), std::string::npos) << payload;
  auto live = hub.waitFor([&](const json& m) { return m["event"] == "WORKSPACE_DEGRADED" && m["workspace_id"] == id; }, 10s);
  ASSERT_TRUE(live) << "no WORKSPACE_DEGRADED on /ws";
  EXPECT_EQ((*live)["payload"]["runtime_state"], "wedged");

  // Without the flag, the restarted agent passes its smoke check and the workspace stays online.
  // (Removing the secret restarts the workspace; only the new agent can bring it back online.)
  ASSERT_EQ(c.request("DELETE", "/workspaces/" + id + "/secrets/AGENT_WEDGE_AFTER_FIRST_EXECUTE").status, 200);
  ASSERT_EQ(waitForStatus(c, id, "online", 60s), "online");
  ASSERT_EQ(c.post("/workspaces/" + id + "/a2a", kMessage).status, 200);
  EXPECT_TRUE(Bench::eventually([&] { return bootLog(c, id).find("runtime smoke check passed") != std::string::npos; }, 30s))
      << bootLog(c, id);
  EXPECT_TRUE(Bench::eventually([&] { return c.get("/workspaces/" + id).json()["last_sample_error"] == ""; }, 30s))
      << "the new agent's heartbeats report no wedge";
  EXPECT_EQ(c.get("/workspaces/" + id).json()["status"], "online");
}

}  // namespace
}  // namespace ws::contract
