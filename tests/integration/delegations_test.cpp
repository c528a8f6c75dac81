// Delegation over HTTP: a task handed to a peer's agent and its answer, seen in the list and
// live; records and updates from agents; idempotency keys; and every refusal.

#include <gtest/gtest.h>

#include <thread>

#include "support/fake_agent.h"
#include "support/probes.h"
#include "support/server_process.h"

namespace ws::test {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

const std::string kAdmin = "delegation-admin-token";

class DelegationRoutes : public ::testing::Test {
 protected:
  DelegationRoutes() {
    agent_.answer(200, json::parse(R"({"jsonrpc":"2.0","id":"1","result":{"kind":"message","role":"agent",
                                       "parts":[{"kind":"text","text":"on it: done"}]}})"));
  }
  std::string create(json body) {
    auto r = admin_.post("/workspaces", body);
    EXPECT_EQ(r.status, 201) << r.body;
    return r.json()["id"];
  }
  std::string tokenOf(const std::string& id) { return admin_.post("/workspaces/" + id + "/tokens", json::object()).json()["auth_token"]; }
  // The workspace's delegations once `done` holds for them (or after 10 s).
  json waitFor(const std::string& id, const std::function<bool(const json&)>& done) {
    json list;
    for (int i = 0; i < 200; ++i) {
      list = admin_.get("/workspaces/" + id + "/delegations").json();
      if (done(list)) break;
      std::this_thread::sleep_for(50ms);
    }
    return list;
  }

  FakeAgent agent_;
  ServerProcess server_{{"--allow-loopback-agents"}, {{"ADMIN_TOKEN", kAdmin}}};
  HttpClient admin_ = server_.client(kAdmin);
  std::string lead_ = create({{"name", "lead"}});
  std::string peer_ = create({{"name", "peer"}, {"external", true}, {"url", agent_.url()}});
  std::string token_ = tokenOf(lead_);
};

TEST_F(DelegationRoutes, ATaskReachesThePeerAndItsAnswerIsListed) {
  auto c = server_.client(token_);
  auto stream = LiveClient::events(server_.port(), "/workspaces/" + lead_ + "/events/stream", {{"Authorization", "Bearer " + token_}});
  auto sent = c.post("/workspaces/" + lead_ + "/delegate", {{"target_id", peer_}, {"task", "write the summary"}});
  ASSERT_EQ(sent.status, 202) << sent.body;
  const std::string id = sent.json()["delegation_id"];
  EXPECT_EQ(sent.json(), (json{{"delegation_id", id}, {"status", "delegated"}, {"target_id", peer_}}));

  const json list = waitFor(lead_, [](const json& l) { return l.size() == 2; });
  ASSERT_EQ(list.size(), 2u) << list;
  const json& result = list[0];
  EXPECT_EQ(result["type"], "delegation");
  EXPECT_EQ(result["status"], "completed");
  EXPECT_EQ(result["delegation_id"], id);
  EXPECT_EQ(result["response_preview"], "on it: done");
  EXPECT_EQ(result["source_id"], lead_);
  EXPECT_EQ(result["target_id"], peer_);
  EXPECT_TRUE(result["id"].is_number_integer());
  const json& row = list[1];
  EXPECT_EQ(row["status"], "completed");
  EXPECT_EQ(row["summary"], "Delegating to " + peer_);
  EXPECT_EQ(row.count("error"), 0u);

  const auto received = agent_.received();
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(received[0]["params"]["message"]["parts"][0]["text"], "write the summary");
  EXPECT_EQ(received[0]["params"]["message"]["metadata"]["peer_name"], "lead");

  std::vector<std::string> types;
  while (auto m = stream.next(2s)) {
    types.push_back((*m)["type"]);
    if (types.back() == "DELEGATION_COMPLETE") {
      EXPECT_EQ((*m)["data"]["response_preview"], "on it: done");
      break;
    }
  }
  EXPECT_EQ(types, (std::vector<std::string>{"DELEGATION_SENT", "DELEGATION_STATUS", "DELEGATION_COMPLETE"}));
  EXPECT_TRUE(sawEvent(admin_, lead_, "DELEGATION_COMPLETE")) << "recorded among the structure events";
  const json activity = admin_.get("/workspaces/" + lead_ + "/activity?type=delegation").json();
  EXPECT_EQ(activity.size(), 2u) << "delegations are activity rows";
}

TEST_F(DelegationRoutes, AKeyReturnsTheDelegationInFlight) {
  agent_.hold();
  auto c = server_.client(token_);
  const json body{{"target_id", peer_}, {"task", "once"}, {"idempotency_key", "job-1"}};
  auto first = c.post("/workspaces/" + lead_ + "/delegate", body);
  ASSERT_EQ(first.status, 202);
  auto again = c.post("/workspaces/" + lead_ + "/delegate", body);
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(again.json()["idempotent_hit"], true);
  EXPECT_EQ(again.json()["delegation_id"], first.json()["delegation_id"]);
  EXPECT_EQ(again.json()["target_id"], peer_);
  agent_.release();
  waitFor(lead_, [](const json& l) { return l.size() == 2; });
  EXPECT_EQ(agent_.received().size(), 1u);
}

TEST_F(DelegationRoutes, AgentsRecordAndReportTheirOwn) {
  auto c = server_.client(token_);
  const std::string base = "/workspaces/" + lead_ + "/delegations";
  auto recorded = c.post(base + "/record", {{"target_id", peer_}, {"task", "t"}, {"delegation_id", "task-42"}});
  ASSERT_EQ(recorded.status, 202) << recorded.body;
  EXPECT_EQ(recorded.json(), (json{{"delegation_id", "task-42"}, {"status", "recorded"}}));
  EXPECT_EQ(c.post(base + "/record", {{"target_id", peer_}, {"task", "t"}, {"delegation_id", "task-42"}}).status, 409);
  EXPECT_EQ(admin_.get(base).json()[0]["status"], "dispatched");

  EXPECT_EQ(c.post(base + "/task-404/update", {{"status", "completed"}}).status, 404);
  EXPECT_EQ(c.post(base + "/task-42/update", {{"status", "finished"}}).status, 400);
  auto updated = c.post(base + "/task-42/update", {{"status", "completed"}, {"response_preview", "all done"}});
  ASSERT_EQ(updated.status, 200) << updated.body;
  EXPECT_EQ(updated.json(), (json{{"status", "completed"}, {"delegation_id", "task-42"}}));
  const json list = admin_.get(base).json();
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0]["response_preview"], "all done");
  EXPECT_EQ(list[1]["status"], "completed");
  EXPECT_TRUE(agent_.received().empty()) << "records send nothing";
}

TEST_F(DelegationRoutes, RefusalsChangeNothing) {
  auto c = server_.client(token_);
  const std::string path = "/workspaces/" + lead_ + "/delegate";
  EXPECT_EQ(c.request("POST", path, "{not json").status, 400);
  EXPECT_EQ(c.post(path, {{"task", "no target"}}).json()["error"], "invalid delegation request");
  EXPECT_EQ(c.post(path, {{"target_id", peer_}, {"task", 7}}).status, 400);
  EXPECT_EQ(c.post(path, {{"target_id", "peer"}, {"task", "x"}}).json()["error"], "target_id must be a valid UUID");
  EXPECT_EQ(c.post(path, {{"target_id", lead_}, {"task", "x"}}).json()["error"], "self-delegation not permitted");
  EXPECT_EQ(c.post(path, {{"target_id", "7c1d7d1e-0f7e-4a57-9a0b-3f8a1b2c3d4e"}, {"task", "x"}}).status, 404);
  const std::string other_root = create({{"name", "other"}});
  const std::string stranger = create({{"name", "stranger"}, {"parent_id", other_root}});
  EXPECT_EQ(c.post(path, {{"target_id", stranger}, {"task", "x"}}).status, 403) << "outside the hierarchy rule";
  EXPECT_EQ(admin_.post("/workspaces/7c1d7d1e-0f7e-4a57-9a0b-3f8a1b2c3d4e/delegate", {{"target_id", peer_}, {"task", "x"}}).status, 404);
  EXPECT_EQ(admin_.get("/workspaces/7c1d7d1e-0f7e-4a57-9a0b-3f8a1b2c3d4e/delegations").status, 404);

  const std::string foreign = tokenOf(other_root);
  EXPECT_EQ(c.post(path, {{"target_id", peer_}, {"task", "x"}}, foreign).status, 401);
  EXPECT_EQ(c.get("/workspaces/" + lead_ + "/delegations", foreign).status, 401);
  EXPECT_EQ(c.post("/workspaces/" + lead_ + "/delegations/record", {{"target_id", peer_}, {"task", "t"}, {"delegation_id", "d"}}, foreign).status, 401);
  EXPECT_EQ(c.post("/workspaces/" + lead_ + "/delegations/d/update", {{"status", "failed"}}, foreign).status, 401);
  EXPECT_EQ(c.post("/workspaces/" + lead_ + "/delegations/record", {{"target_id", peer_}, {"task", "t"}}).status, 400);
  EXPECT_EQ(c.request("POST", "/workspaces/" + lead_ + "/delegations/d/update", "[1]").status, 400);

  EXPECT_TRUE(admin_.get("/workspaces/" + lead_ + "/delegations").json().empty());
  EXPECT_TRUE(agent_.received().empty());
}

TEST_F(DelegationRoutes, AnUnreachablePeerFailsTheDelegation) {
  const std::string silent = create({{"name", "silent"}});  // no backend: failed, no agent address
  auto sent = server_.client(token_).post("/workspaces/" + lead_ + "/delegate", {{"target_id", silent}, {"task", "x"}});
  ASSERT_EQ(sent.status, 202);
  const json list = waitFor(lead_, [](const json& l) { return l.size() == 2; });
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0]["status"], "failed");
  EXPECT_EQ(list[0]["error"], "workspace has no URL");
  EXPECT_EQ(list[1]["status"], "failed");
  EXPECT_TRUE(sawEvent(admin_, lead_, "DELEGATION_FAILED"));
}

// The server dies (SIGKILL) while its delegation waits on an agent that never answers: the
// next start fails it, and the delegating workspace sees why. A delegation the agent sent and
// recorded itself is the agent's to settle and stays as it was. On PostgreSQL (replicas) the
// start does not, since another replica might be sending it: the stalled-work sweep does, once
// the delegation is older than any send takes (its row is aged here).
TEST(DelegationRestart, ADelegationInFlightWhenTheServerDiesFailsAtTheNextStart) {
  FakeAgent silent;
  silent.hold();  // answers never come
  TempDir dir;
  const std::vector<std::string> args{"--allow-loopback-agents", "--db", dir.path() + "/workspace.db", "--lease-ttl", "1",
                                      "--orphan-sweep-seconds", "1"};
  const std::map<std::string, std::string> env{{"ADMIN_TOKEN", kAdmin}};
  std::string lead, delegation;
  {
    ServerProcess doomed(args, env);
    auto admin = doomed.client(kAdmin);
    lead = admin.post("/workspaces", {{"name", "lead"}}).json()["id"];
    const std::string peer = admin.post("/workspaces", {{"name", "peer"}, {"external", true}, {"url", silent.url()}}).json()["id"];
    auto sent = admin.post("/workspaces/" + lead + "/delegate", {{"target_id", peer}, {"task", "never answered"}});
    ASSERT_EQ(sent.status, 202) << sent.body;
    delegation = sent.json()["delegation_id"];
    ASSERT_EQ(admin.post("/workspaces/" + lead + "/delegations/record",
                         {{"target_id", peer}, {"task", "sent by the agent"}, {"delegation_id", "agent-1"}})
                  .status,
              202);
    for (int i = 0; i < 200 && silent.received().empty(); ++i) std::this_thread::sleep_for(25ms);
    ASSERT_EQ(silent.received().size(), 1u) << "the task is with the agent";
    const json before = admin.get("/workspaces/" + lead + "/delegations").json();
    ASSERT_EQ(before.size(), 2u) << before;
    for (const auto& d : before) EXPECT_EQ(d["status"], "dispatched") << d;
    doomed.crash();
    if (doomed.postgres())
      execSql(dir.path() + "/workspace.db",
              "UPDATE activity_logs SET created_at = '" + stampAgo(std::chrono::hours(3)) + "' WHERE method = 'delegate'");
  }
  ServerProcess again(args, env);
  auto admin = again.client(kAdmin);
  json list;
  for (int i = 0; i < 100 && list.size() != 3; ++i) {
    if (i) std::this_thread::sleep_for(50ms);
    list = admin.get("/workspaces/" + lead + "/delegations").json();
  }
  ASSERT_EQ(list.size(), 3u) << list;
  const auto of = [&](const std::string& id, const std::string& type) {
    for (const auto& d : list)
      if (d.value("delegation_id", "") == id && d["summary"].get<std::string>().rfind(type, 0) == 0) return d;
    return json();
  };
  const json row = of(delegation, "Delegating");
  EXPECT_EQ(row["status"], "failed") << list;
  EXPECT_EQ(row["error"], "platform restarted while delegation was in flight");
  const json result = of(delegation, "Delegation failed");
  EXPECT_EQ(result["status"], "failed") << list;
  EXPECT_EQ(result["error"], "platform restarted while delegation was in flight");
  EXPECT_EQ(of("agent-1", "Delegating")["status"], "dispatched") << "the agent's own delegation is untouched";
  bool announced = false;
  for (const auto& e : admin.get("/events/" + lead).json())
    announced |= e["event_type"] == "DELEGATION_FAILED" && e["payload"]["delegation_id"] == delegation &&
                 e["payload"]["error"] == "platform restarted while delegation was in flight";
  EXPECT_TRUE(announced) << "DELEGATION_FAILED for the delegating workspace";
  silent.release();
}

}  // namespace
}  // namespace ws::test
