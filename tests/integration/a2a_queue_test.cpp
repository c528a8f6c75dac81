// The busy-agent A2A queue against the real binary: a call whose agent does not answer in time
// is queued (202), survives a restart, and reaches the agent in order once its heartbeats report
// room; an agent with a native session is answered 503; POST /admin/a2a-queue/drop-stale and
// its refusals. The agent is a loopback fake held silent to be busy.

#include <gtest/gtest.h>

#include <memory>
#include <sstream>
#include <thread>

#include "support/fake_agent.h"
#include "support/probes.h"
#include "support/server_process.h"

namespace ws::test {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

const std::string kAdmin = "queue-admin-token";
const std::string kDropStale = "/admin/a2a-queue/drop-stale";




// The status of each queue item, by id.
std::map<std::string, std::string> statuses(const std::string& db_path) {
  std::map<std::string, std::string> out;
  for (const auto& row : execSql(db_path, "SELECT id, status FROM a2a_queue")) out[row.at(0)] = row.at(1);
  return out;
}

class A2aQueueRoutes : public ::testing::Test {
 protected:
  A2aQueueRoutes() {
    auto made = admin().post("/workspaces", {{"name", "busy agent"}, {"external", true}, {"url", agent_.url()}});
    EXPECT_EQ(made.status, 201) << made.body;
    target_ = made.json()["id"];
  }
  void restart() {
    ASSERT_EQ(server_->terminate(), 0);
    server_ = start();
  }
  std::unique_ptr<ServerProcess> start() {
    return std::make_unique<ServerProcess>(std::vector<std::string>{"--allow-loopback-agents", "--db", db_},
                                           std::map<std::string, std::string>{{"ADMIN_TOKEN", kAdmin}});
  }
  HttpClient admin() { return server_->client(kAdmin); }
  HttpResult call(const json& body) {
    return admin().request("POST", "/workspaces/" + target_ + "/a2a", body.dump(), {{"X-Timeout", "1"}});
  }
  HttpResult heartbeat(int active_tasks, json metadata = json()) {
    json body{{"workspace_id", target_}, {"active_tasks", active_tasks}};
    if (!metadata.is_null()) body["runtime_metadata"] = metadata;
    return admin().post("/registry/heartbeat", body);
  }
  // The texts the agent received, once it has `n` requests (or after 10 s).
  std::vector<std::string> receivedOnce(std::size_t n) {
    for (int i = 0; i < 200 && agent_.received().size() < n; ++i) std::this_thread::sleep_for(50ms);
    std::vector<std::string> texts;
    for (const auto& r : agent_.received()) texts.push_back(r["params"]["message"]["parts"][0]["text"]);
    return texts;
  }
  double metric(const std::string& name, const std::string& labels = "") { return metricSample(admin().get("/metrics").body, name, labels); }

  FakeAgent agent_;
  TempDir dir_;
  std::string db_ = dir_.path() + "/workspace.db";
  std::unique_ptr<ServerProcess> server_ = start();
  std::string target_;
};

TEST_F(A2aQueueRoutes, ABusyAgentsCallsWaitAcrossARestartAndArriveInOrder) {
  agent_.hold();
  std::vector<std::string> ids;
  for (const char* text : {"one", "two", "three"}) {
    auto r = call(a2aMessage(text));
    ASSERT_EQ(r.status, 202) << r.body;
    const json body = r.json();
    EXPECT_EQ(body.size(), 4u) << body;
    EXPECT_EQ(body["queued"], true);
    EXPECT_EQ(body["queue_depth"], ids.size() + 1);
    EXPECT_EQ(body["message"], "workspace agent busy — request queued, will dispatch when capacity available");
    ids.push_back(body["queue_id"]);
  }
  EXPECT_EQ(receivedOnce(3), (std::vector<std::string>{"one", "two", "three"})) << "each was tried first";
  EXPECT_EQ(metric("molecule_a2a_queue_depth"), 3);
  EXPECT_EQ(metric("molecule_a2a_queue_enqueued_total"), 3);

  restart();
  agent_.release();
  EXPECT_EQ(metric("molecule_a2a_queue_depth"), 3) << "the queue is in the database";
  for (const auto& id : ids) EXPECT_EQ(statuses(db_)[id], "queued");

  ASSERT_EQ(heartbeat(1).status, 200);  // max_concurrent_tasks is 1: no room
  std::this_thread::sleep_for(500ms);
  EXPECT_EQ(agent_.received().size(), 3u) << "a full agent gets nothing";

  for (std::size_t n = 4; n <= 6; ++n) {
    ASSERT_EQ(heartbeat(0).status, 200);
    ASSERT_EQ(receivedOnce(n).size(), n) << "one queued call per heartbeat with room for one";
  }
  EXPECT_EQ(receivedOnce(6), (std::vector<std::string>{"one", "two", "three", "one", "two", "three"}));
  for (int i = 0; i < 100 && statuses(db_)[ids[2]] != "completed"; ++i) std::this_thread::sleep_for(50ms);
  for (const auto& id : ids) EXPECT_EQ(statuses(db_)[id], "completed");
  EXPECT_EQ(metric("molecule_a2a_queue_depth"), 0);
  for (int i = 0; i < 100 && metric("molecule_a2a_queue_drained_total", R"(outcome="completed")") < 3; ++i)
    std::this_thread::sleep_for(50ms);
  EXPECT_EQ(metric("molecule_a2a_queue_drained_total", R"(outcome="completed")"), 3);

  const json activity = admin().get("/workspaces/" + target_ + "/activity?type=a2a_receive").json();
  ASSERT_EQ(activity.size(), 6u) << activity;
  int timeouts = 0;
  for (const auto& a : activity) timeouts += a["status"] == "timeout" ? 1 : 0;
  EXPECT_EQ(timeouts, 3) << "the first attempts; the deliveries from the queue are ok";

  ASSERT_EQ(heartbeat(0).status, 200);
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(agent_.received().size(), 6u) << "an empty queue sends nothing";
}

TEST_F(A2aQueueRoutes, AnAgentWithANativeSessionIsToldToRetry) {
  ASSERT_EQ(heartbeat(1, {{"capabilities", {{"session", true}}}}).status, 200);
  agent_.hold();
  auto r = call(a2aMessage("native"));
  ASSERT_EQ(r.status, 503) << r.body;
  EXPECT_EQ(r.headers["Retry-After"], "30");
  EXPECT_EQ(r.json(), (json{{"error", "workspace agent busy — adapter handles retry (native_session)"}, {"busy", true},
                            {"retry_after", 30}, {"native_session", true}}));
  EXPECT_TRUE(statuses(db_).empty());
}

TEST_F(A2aQueueRoutes, DropStaleDropsOldAndExpiredCalls) {
  agent_.hold();
  json short_lived = a2aMessage("short-lived");
  short_lived["params"]["expires_in_seconds"] = 1;
  const std::string expiring = call(short_lived).json()["queue_id"];
  const std::string old = call(a2aMessage("old")).json()["queue_id"];
  const std::string fresh = call(a2aMessage("fresh")).json()["queue_id"];
  execSql(db_, "UPDATE a2a_queue SET enqueued_at = '2020-01-01T00:00:00.000Z' WHERE id = '" + old + "'");
  std::this_thread::sleep_for(1100ms);

  const std::string elsewhere = kDropStale + "?workspace_id=7c1d7d1e-0f7e-4a57-9a0b-3f8a1b2c3d4e";
  auto none = admin().post(elsewhere, json::object());
  ASSERT_EQ(none.status, 200) << none.body;
  EXPECT_EQ(none.json(), (json{{"dropped", 0}})) << "another workspace";

  auto dropped = admin().post(kDropStale + "?workspace_id=" + target_, json::object());
  ASSERT_EQ(dropped.status, 200) << dropped.body;
  EXPECT_EQ(dropped.json(), (json{{"dropped", 2}}));
  auto s = statuses(db_);
  EXPECT_EQ(s[expiring], "dropped");
  EXPECT_EQ(s[old], "dropped");
  EXPECT_EQ(s[fresh], "queued") << "younger than the default 60 minutes";
  EXPECT_EQ(admin().post(kDropStale + "?max_age_minutes=1", json::object()).json(), (json{{"dropped", 0}}));
  EXPECT_EQ(metric("molecule_a2a_queue_dropped_total"), 2);

  execSql(db_, "UPDATE a2a_queue SET enqueued_at = '" + stampAgo(std::chrono::minutes(3)) + "' WHERE id = '" + fresh + "'");
  EXPECT_EQ(admin().post(kDropStale + "?max_age_minutes=5", json::object()).json(), (json{{"dropped", 0}}));
  EXPECT_EQ(admin().post(kDropStale + "?max_age_minutes=2", json::object()).json(), (json{{"dropped", 1}}));
  EXPECT_EQ(metric("molecule_a2a_queue_depth"), 0);
}

TEST_F(A2aQueueRoutes, DropStaleRefusesOutsidersAndBadInputAndChangesNothing) {
  agent_.hold();
  const std::string queued = call(a2aMessage("keep me")).json()["queue_id"];
  execSql(db_, "UPDATE a2a_queue SET enqueued_at = '2020-01-01T00:00:00.000Z'");
  const std::string token = admin().post("/workspaces/" + target_ + "/tokens", json::object()).json()["auth_token"];

  EXPECT_EQ(server_->client().post(kDropStale, json::object()).status, 401);
  EXPECT_EQ(server_->client(token).post(kDropStale, json::object()).status, 401) << "a workspace token is no admin";
  EXPECT_EQ(server_->client("not-a-token").post(kDropStale, json::object()).status, 401);
  for (const char* bad : {"0", "-5", "abc", "1.5", "", "99999999999999999999", "60%20"}) {
    auto r = admin().post(kDropStale + "?max_age_minutes=" + bad, json::object());
    EXPECT_EQ(r.status, 400) << bad;
    EXPECT_EQ(r.json(), (json{{"error", "max_age_minutes must be a positive integer"}})) << bad;
  }
  for (const char* bad : {"not-a-uuid", "..%2F..%2Fetc", "'%20OR%201=1"}) {
    auto r = admin().post(kDropStale + "?workspace_id=" + bad, json::object());
    EXPECT_EQ(r.status, 400) << bad;
    EXPECT_EQ(r.json(), (json{{"error", "invalid workspace_id"}})) << bad;
  }
  EXPECT_EQ(statuses(db_)[queued], "queued") << "nothing was dropped";

  // The route reads no body: a malformed one is ignored, as the reference ignores it.
  auto junk = admin().request("POST", kDropStale + "?max_age_minutes=1", "{not json");
  ASSERT_EQ(junk.status, 200) << junk.body;
  EXPECT_EQ(junk.json(), (json{{"dropped", 1}}));
  EXPECT_EQ(statuses(db_)[queued], "dropped");
}

}  // namespace
}  // namespace ws::test
