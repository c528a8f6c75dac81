// Two real servers on one PostgreSQL database, as replicas behind a load balancer would run
// (docs/operations.md "Running replicas behind a load balancer"): liveness, live events,
// schedules and an org import interrupted by a crash. PostgreSQL only: the ctest label
// `postgres`, with WS_TEST_DATABASE_URL set by its fixture.

#include <gtest/gtest.h>

#include <map>
#include <thread>

#include "support/fake_agent.h"
#include "support/probes.h"
#include "support/server_process.h"

namespace ws::test {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

const std::string kAdmin = "replicas-admin-token";

// Short clocks so that the test takes seconds: leases, liveness and provisioning time out in
// a few, sweeps run ten times a second.
std::vector<std::string> replicaArgs(const std::string& db, std::vector<std::string> more = {}) {
  std::vector<std::string> args{"--db", db, "--allow-loopback-agents", "--sweep-interval-ms", "100", "--lease-ttl", "2",
                                "--liveness-ttl", "2"};
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

// The name a WORKSPACE_UPDATED message on /ws carries ("" for any other message).
std::string nameIn(const json& m) {
  const auto p = m.find("payload");
  return p != m.end() && p->is_object() ? p->value("name", "") : "";
}

template <class Pred>
bool eventually(Pred pred, std::chrono::milliseconds limit) {
  for (const auto deadline = std::chrono::steady_clock::now() + limit; std::chrono::steady_clock::now() < deadline;) {
    if (pred()) return true;
    std::this_thread::sleep_for(50ms);
  }
  return pred();
}

class Replicas : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_NE(std::getenv("WS_TEST_DATABASE_URL"), nullptr) << "replicas need PostgreSQL"; }

  // Two servers on one database; A first, so A takes the leases.
  void start(std::vector<std::string> more = {}) {
    a_ = std::make_unique<ServerProcess>(replicaArgs(db(), more), std::map<std::string, std::string>{{"ADMIN_TOKEN", kAdmin}});
    b_ = std::make_unique<ServerProcess>(replicaArgs(db(), more), std::map<std::string, std::string>{{"ADMIN_TOKEN", kAdmin}});
    ASSERT_TRUE(a_->postgres() && b_->postgres());
  }
  std::string db() const { return dir_.path() + "/shared.db"; }  // one path: one PostgreSQL database
  // The client of the n-th request: A, B, A, B...
  HttpClient next(const std::string& bearer = kAdmin) { return (turn_++ % 2 ? *b_ : *a_).client(bearer); }

  // A workspace whose agent (at `url`) registered through A: online, with its token.
  std::pair<std::string, std::string> online(const std::string& name, const std::string& url = "http://127.0.0.1:9") {
    const std::string id = a_->client(kAdmin).post("/workspaces", {{"name", name}}).json()["id"];
    auto reg = b_->client().post("/registry/register", {{"id", id}, {"url", url}, {"agent_card", {{"name", name}}}});
    EXPECT_EQ(reg.status, 200) << reg.body;
    return {id, reg.json().value("auth_token", "")};
  }
  std::string status(ServerProcess& s, const std::string& id) {
    return s.client(kAdmin).get("/workspaces/" + id).json().value("status", "");
  }

  TempDir dir_;
  std::unique_ptr<ServerProcess> a_, b_;
  int turn_ = 0;
};

TEST_F(Replicas, AClientAlternatingBetweenThemSeesOneServer) {
  start();
  // Every request goes to the other replica than the one before.
  const std::string id = next().post("/workspaces", {{"name", "shared"}}).json()["id"];
  EXPECT_EQ(next().get("/workspaces/" + id).json().value("name", ""), "shared");
  auto reg = next("").post("/registry/register", {{"id", id}, {"url", "http://127.0.0.1:9"}, {"agent_card", {{"name", "x"}}}});
  ASSERT_EQ(reg.status, 200) << reg.body;
  const std::string token = reg.json()["auth_token"];
  EXPECT_EQ(next(token).post("/registry/heartbeat", {{"workspace_id", id}, {"active_tasks", 0}}).status, 200)
      << "a token minted on one replica is good on the other";
  ASSERT_EQ(next().request("PATCH", "/workspaces/" + id, json{{"name", "renamed"}}.dump()).status, 200);
  EXPECT_EQ(next().get("/workspaces/" + id).json().value("name", ""), "renamed");
  auto secret = next().post("/workspaces/" + id + "/secrets", {{"key", "API_KEY"}, {"value", "v"}});
  EXPECT_LT(secret.status, 300) << secret.body;
  EXPECT_NE(next().get("/workspaces/" + id + "/secrets").body.find("API_KEY"), std::string::npos);
  EXPECT_EQ(next().request("DELETE", "/workspaces/" + id + "?confirm=true").status, 200);
  EXPECT_EQ(next().get("/workspaces/" + id).status, 404);
  EXPECT_EQ(next(token).post("/registry/heartbeat", {{"workspace_id", id}}).status, 404) << "removed on the other replica";
}

TEST_F(Replicas, AHeartbeatToOneKeepsTheWorkspaceOnlineOnTheOtherAndSilenceExpiresIt) {
  start();
  const auto [id, token] = online("beating");
  // Heartbeats to one replica only, read on the other, then the other way round: one of the
  // two holds the liveness lease, so in one phase its sweep sees only the other's heartbeats.
  for (ServerProcess* to : {a_.get(), b_.get()}) {
    ServerProcess* other = to == a_.get() ? b_.get() : a_.get();
    for (const auto until = std::chrono::steady_clock::now() + 3s; std::chrono::steady_clock::now() < until;) {
      ASSERT_EQ(to->client(token).post("/registry/heartbeat", {{"workspace_id", id}, {"active_tasks", 0}}).status, 200);
      ASSERT_EQ(status(*other, id), "online") << "a heartbeat to one replica counts on the other";
      std::this_thread::sleep_for(400ms);
    }
  }
  // Silence: one replica's liveness sweep (the lease holder's) takes it offline, once.
  EXPECT_TRUE(eventually([&] { return status(*b_, id) == "offline"; }, 8s)) << status(*b_, id);
  EXPECT_EQ(status(*a_, id), "offline");
  std::this_thread::sleep_for(500ms);
  const auto offline = a_->sql("SELECT count(*) FROM structure_events WHERE workspace_id = '" + id +
                               "' AND event_type = 'WORKSPACE_OFFLINE'");
  EXPECT_EQ(offline.at(0).at(0), "1") << "expired by one replica only";
  const auto holders = a_->sql("SELECT count(DISTINCT holder) FROM leases WHERE job = 'liveness-sweep'");
  EXPECT_EQ(holders.at(0).at(0), "1");
}

TEST_F(Replicas, LiveClientsOnOneSeeChangesMadeOnTheOther) {
  start();
  const auto [id, token] = online("watched");
  auto hub = LiveClient::socket(a_->port(), "/ws", {{"Authorization", "Bearer " + kAdmin}});
  auto stream = LiveClient::events(a_->port(), "/workspaces/" + id + "/events/stream", {{"Authorization", "Bearer " + token}});
  ASSERT_EQ(b_->client(kAdmin).request("PATCH", "/workspaces/" + id, json{{"name", "renamed on B"}}.dump()).status, 200);
  auto seen = hub.waitFor([](const json& m) { return m.value("event", "") == "WORKSPACE_UPDATED" && nameIn(m) == "renamed on B"; }, 5s);
  EXPECT_TRUE(seen) << "the /ws client on A missed B's change";
  auto sse = stream.waitFor([](const json& m) { return m.value("type", "") == "WORKSPACE_UPDATED"; }, 5s);
  ASSERT_TRUE(sse) << "the SSE client on A missed B's change";
  EXPECT_EQ((*sse)["data"]["name"], "renamed on B");
  // An event larger than a NOTIFY carries goes through the overflow table, whole.
  const std::string big(20000, 'x');
  auto card = b_->client().post("/registry/update-card", {{"workspace_id", id}, {"agent_card", {{"name", "big"}, {"notes", big}}}},
                                token);
  ASSERT_EQ(card.status, 200) << card.body;
  auto large = hub.waitFor([](const json& m) { return m.value("event", "") == "AGENT_CARD_UPDATED"; }, 5s);
  ASSERT_TRUE(large) << "an oversize event was lost between replicas";
  EXPECT_EQ((*large)["payload"]["agent_card"]["notes"], big);
  // And the other way round.
  auto hub_b = LiveClient::socket(b_->port(), "/ws", {{"Authorization", "Bearer " + kAdmin}});
  ASSERT_EQ(a_->client(kAdmin).request("PATCH", "/workspaces/" + id, json{{"name", "renamed on A"}}.dump()).status, 200);
  EXPECT_TRUE(hub_b.waitFor([](const json& m) { return nameIn(m) == "renamed on A"; }, 5s));
}

TEST_F(Replicas, AScheduleFiresOnceAcrossBoth) {
  start();
  FakeAgent agent;
  agent.answer(200, {{"jsonrpc", "2.0"}, {"id", 1}, {"result", {{"kind", "message"}, {"parts", json::array()}}}});
  const auto [id, token] = online("scheduled", agent.url());
  // 200 schedules due at once (made in SQL): each replica's scheduler pass is long enough that,
  // without the lease, the two would overlap and fire some twice.
  constexpr int kSchedules = 200;
  auto made = next().post("/workspaces/" + id + "/schedules", {{"name", "s"}, {"cron_expr", "0 3 * * *"}, {"prompt", "wake up"}});
  ASSERT_EQ(made.status, 201) << made.body;
  execSql(db(), "INSERT INTO workspace_schedules (id, workspace_id, name, cron_expr, prompt, created_at, updated_at) "
                "SELECT gen_random_uuid()::text, workspace_id, 's' || n, cron_expr, prompt, created_at, updated_at "
                "FROM workspace_schedules, generate_series(1, " + std::to_string(kSchedules - 1) + ") AS n");
  execSql(db(), "UPDATE workspace_schedules SET next_run_at = '2020-01-01T00:00:00.000Z'");  // due now
  auto fired = [&] {
    std::size_t n = 0;
    for (const auto& body : agent.received()) n += body.is_object() && body.value("method", "") == "message/send";
    return n;
  };
  EXPECT_TRUE(eventually([&] { return fired() >= kSchedules; }, 10s)) << "fired " << fired();
  std::this_thread::sleep_for(1500ms);  // many sweeps on both replicas
  EXPECT_EQ(fired(), std::size_t(kSchedules)) << "some fired more than once";
  EXPECT_EQ(a_->sql("SELECT count(*) FROM workspace_schedules WHERE run_count <> 1").at(0).at(0), "0");
}

TEST_F(Replicas, ACrashMidImportLeavesEveryWorkspaceToTheOther) {
  // A control plane that takes every provision request and never answers it.
  FakeAgent cp;
  cp.answer(201, {{"instance_id", "i-held"}});
  cp.hold();
  start({"--backend", "controlplane", "--cp-url", cp.url(), "--org-id", "replica-org", "--cp-shared-secret", "s",
         "--provision-timeout", "3", "--orphan-sweep-seconds", "600", "--health-sweep-seconds", "600"});
  json roots = json::array();
  for (int i = 0; i < 6; ++i) roots.push_back({{"name", "w" + std::to_string(i)}});
  const json tmpl{{"name", "replica-org"}, {"workspaces", roots}};
  std::atomic<bool> importing = true;
  std::thread reader([&] {  // B serves reads throughout
    auto b = b_->client(kAdmin);
    while (importing) {
      EXPECT_EQ(b.get("/workspaces").status, 200);
      std::this_thread::sleep_for(20ms);
    }
  });
  auto imported = a_->client(kAdmin).post("/org/import", {{"template", tmpl}});
  EXPECT_EQ(imported.status, 201) << imported.body;
  EXPECT_TRUE(eventually([&] { return !cp.received().empty(); }, 5s)) << "A never began provisioning";
  a_->crash();  // mid-import: provisions in flight on A
  importing = false;
  reader.join();

  // B takes the leases once A's expire, and its provision-timeout sweep settles every row.
  const auto rows = b_->client(kAdmin).get("/workspaces").json();
  ASSERT_EQ(rows.size(), 6u);
  for (const auto& w : rows) {
    const std::string id = w["id"];
    EXPECT_TRUE(eventually([&] { return status(*b_, id) == "failed"; }, 15s)) << id << " " << status(*b_, id);
    const json row = b_->client(kAdmin).get("/workspaces/" + id).json();
    EXPECT_NE(row.value("last_sample_error", "").find("provisioning timed out"), std::string::npos) << row;
  }
  std::map<std::string, int> provisions;
  for (const auto& body : cp.received())
    if (body.is_object()) ++provisions[body.value("workspace_id", "")];
  for (const auto& [id, n] : provisions) EXPECT_EQ(n, 1) << id << " provisioned twice";
  const auto timeouts = b_->sql(
      "SELECT workspace_id, count(*) FROM structure_events WHERE payload LIKE '%provision_timeout_sweep%' GROUP BY workspace_id");
  EXPECT_EQ(timeouts.size(), 6u);
  for (const auto& t : timeouts) EXPECT_EQ(t.at(1), "1") << t.at(0) << " failed twice";
}

}  // namespace
}  // namespace ws::test
