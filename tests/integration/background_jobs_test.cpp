// The sweeper's background jobs against the real binary: idle hibernation
// (hibernation_idle_minutes, as the reference stores it) and the activity retention cleanup
// (ACTIVITY_RETENTION_DAYS). The idle clock and the rows' ages are set back in the database.

#include <gtest/gtest.h>

#include <thread>

#include "support/probes.h"
#include "support/server_process.h"

namespace ws::test {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

const std::string kAdmin = "jobs-admin-token";


/// A workspace whose agent has registered: online, with its token.
std::pair<std::string, std::string> online(ServerProcess& server, const std::string& name) {
  auto admin = server.client(kAdmin);
  const std::string id = admin.post("/workspaces", {{"name", name}}).json()["id"];
  auto reg = server.client().post("/registry/register", {{"id", id}, {"url", "http://127.0.0.1:9"}, {"agent_card", {{"name", name}}}});
  EXPECT_EQ(reg.status, 200) << reg.body;
  return {id, reg.json().value("auth_token", "")};
}

std::string statusAfter(HttpClient& c, const std::string& id, const std::string& want, std::chrono::seconds limit) {
  std::string status;
  for (const auto deadline = std::chrono::steady_clock::now() + limit; std::chrono::steady_clock::now() < deadline;) {
    status = c.get("/workspaces/" + id).json().value("status", "");
    if (status == want) break;
    std::this_thread::sleep_for(100ms);
  }
  return status;
}

TEST(BackgroundJobs, AnIdleWorkspaceHibernatesAndABusyOneDoesNot) {
  ServerProcess server({"--allow-loopback-agents", "--sweep-interval-ms", "100", "--hibernation-sweep-seconds", "1"},
                       {{"ADMIN_TOKEN", kAdmin}});
  auto admin = server.client(kAdmin);
  const auto [idle, idle_token] = online(server, "idle");
  const auto [busy, busy_token] = online(server, "busy");
  const auto [unset, unset_token] = online(server, "never");
  for (const auto& id : {idle, busy}) {
    auto patched = server.client(id == idle ? idle_token : busy_token)
                       .request("PATCH", "/workspaces/" + id, json{{"hibernation_idle_minutes", 1}}.dump());
    ASSERT_EQ(patched.status, 200) << patched.body;
  }
  EXPECT_EQ(admin.get("/workspaces/" + idle).json()["hibernation_idle_minutes"], 1);
  EXPECT_TRUE(admin.get("/workspaces/" + unset).json()["hibernation_idle_minutes"].is_null());
  ASSERT_EQ(server.client(busy_token).post("/registry/heartbeat", {{"workspace_id", busy}, {"active_tasks", 1}}).status, 200);
  // A minute of idleness, without waiting one.
  execSql(server.dbPath(), "UPDATE workspaces SET updated_at = '2020-01-01T00:00:00.000Z'");
  EXPECT_EQ(statusAfter(admin, idle, "hibernated", 15s), "hibernated");
  EXPECT_TRUE(sawEvent(admin, idle, "WORKSPACE_HIBERNATED"));
  std::this_thread::sleep_for(1500ms);  // another sweep or two
  EXPECT_EQ(admin.get("/workspaces/" + busy).json()["status"], "online") << "active tasks keep it awake";
  EXPECT_EQ(admin.get("/workspaces/" + unset).json()["status"], "online") << "it never asked to hibernate";
  const json ticks = admin.get("/admin/liveness").json();
  EXPECT_NE(ticks.dump().find("hibernation-monitor"), std::string::npos) << ticks;
}

TEST(BackgroundJobs, IdleMinutesAreValidatedAndCanBeTurnedOff) {
  ServerProcess server({"--allow-loopback-agents"}, {{"ADMIN_TOKEN", kAdmin}});
  auto admin = server.client(kAdmin);
  for (const json& bad : {json(-1), json(525601), json("ten"), json(1.5)}) {
    EXPECT_EQ(admin.post("/workspaces", {{"name", "w"}, {"hibernation_idle_minutes", bad}}).status, 400) << bad;
  }
  const std::string id = admin.post("/workspaces", {{"name", "w"}, {"hibernation_idle_minutes", 30}}).json()["id"];
  EXPECT_EQ(admin.get("/workspaces/" + id).json()["hibernation_idle_minutes"], 30);
  EXPECT_EQ(admin.request("PATCH", "/workspaces/" + id, json{{"hibernation_idle_minutes", -5}}.dump()).status, 400);
  EXPECT_EQ(admin.get("/workspaces/" + id).json()["hibernation_idle_minutes"], 30) << "a refused change changes nothing";
  ASSERT_EQ(admin.request("PATCH", "/workspaces/" + id, json{{"hibernation_idle_minutes", nullptr}}.dump()).status, 200);
  EXPECT_TRUE(admin.get("/workspaces/" + id).json()["hibernation_idle_minutes"].is_null());
  ASSERT_EQ(admin.request("PATCH", "/workspaces/" + id, json{{"hibernation_idle_minutes", 0}}.dump()).status, 200);
  EXPECT_TRUE(admin.get("/workspaces/" + id).json()["hibernation_idle_minutes"].is_null()) << "0 turns it off";
}

TEST(BackgroundJobs, ActivityOlderThanTheRetentionIsPurged) {
  TempDir dir;
  const std::string db = dir.path() + "/jobs.db";
  std::string id;
  {
    ServerProcess server({"--allow-loopback-agents", "--db", db}, {{"ADMIN_TOKEN", kAdmin}});
    const auto [w, token] = online(server, "chatty");
    id = w;
    auto agent = server.client(token);
    for (const char* summary : {"last month", "last week", "yesterday"})
      ASSERT_EQ(agent.post("/workspaces/" + id + "/activity", {{"activity_type", "agent_log"}, {"summary", summary}}).status, 200);
    ASSERT_EQ(server.terminate(), 0);
  }
  execSql(db, "UPDATE activity_logs SET created_at = '2020-01-01T00:00:00.000Z' WHERE summary = 'last month'");
  execSql(db, "UPDATE activity_logs SET created_at = '" + stampAgo(std::chrono::hours(24 * 5)) + "' WHERE summary = 'last week'");
  // The cleanup runs at start, then every ACTIVITY_CLEANUP_INTERVAL_HOURS.
  ServerProcess again({"--db", db}, {{"ADMIN_TOKEN", kAdmin}, {"ACTIVITY_RETENTION_DAYS", "3"}});
  auto admin = again.client(kAdmin);
  std::vector<std::string> left;
  for (int i = 0; i < 50; ++i) {
    left.clear();
    for (const auto& a : admin.get("/workspaces/" + id + "/activity?type=agent_log").json()) left.push_back(a["summary"]);
    if (left.size() == 1) break;
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_EQ(left, std::vector<std::string>{"yesterday"}) << "3 days kept: the 5-day-old row went too";
}

TEST(BackgroundJobs, RetentionSettingsAreChecked) {
  for (const std::vector<std::string>& args : {std::vector<std::string>{"--activity-retention-days", "-1"},
                                               std::vector<std::string>{"--activity-cleanup-interval-hours", "0"},
                                               std::vector<std::string>{"--hibernation-sweep-seconds", "0"}}) {
    EXPECT_THROW(ServerProcess s(args), std::runtime_error) << args[0];
  }
}

}  // namespace
}  // namespace ws::test
