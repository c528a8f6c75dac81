// Observability against the real binary: GET /metrics (Prometheus text), GET /admin/liveness,
// a workspace's token usage (GET /workspaces/:id/metrics), schedule health, the access log with
// its request ids, and the JSON log format.

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <functional>
#include <regex>
#include <sstream>
#include <thread>

#include "support/fake_agent.h"
#include "support/probes.h"
#include "support/server_process.h"

namespace ws::test {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

const std::string kAdmin = "obs-admin-token";
const std::string kUnknown = "00000000-0000-4000-8000-000000000000";
const json kSend{{"method", "message/send"}, {"params", {{"message", {{"parts", {{{"kind", "text"}, {"text", "hi"}}}}}}}}};


std::string readFile(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

std::string mintToken(HttpClient& admin, const std::string& id) {
  auto r = admin.post("/workspaces/" + id + "/tokens", json::object());
  EXPECT_EQ(r.status, 201) << r.body;
  return r.json()["auth_token"];
}

// Polls until `done` holds (stream gauges follow connections served on other threads; the log
// file is written as requests are answered).
bool eventually(const std::function<bool()>& done) {
  for (auto until = std::chrono::steady_clock::now() + 5s; std::chrono::steady_clock::now() < until;
       std::this_thread::sleep_for(20ms))
    if (done()) return true;
  return done();
}

TEST(Metrics, TextParsesAndCountsRequestsByRoutePattern) {
  ServerProcess server({}, {{"ADMIN_TOKEN", kAdmin}});
  auto c = server.client(kAdmin);  // one keep-alive connection: each answer is counted before the next request
  auto first = server.client().get("/metrics");
  ASSERT_EQ(first.status, 200) << "open, like the reference";
  EXPECT_EQ(first.headers["Content-Type"], "text/plain; version=0.0.4; charset=utf-8");
  const std::regex kLine(R"re(#.*|[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*",?)*\})? ([-+]?[0-9.eE+-]+|[-+]?Inf|NaN))re");
  std::istringstream lines(first.body);
  for (std::string line; std::getline(lines, line);) EXPECT_TRUE(std::regex_match(line, kLine)) << line;
  const std::string by_id = R"(method="GET",path="/workspaces/:id",status="404")";
  const double before = std::max(0.0, metricSample(first.body, "molecule_http_requests_total", by_id));

  for (int i = 0; i < 3; ++i) EXPECT_EQ(c.get("/workspaces/" + kUnknown).status, 404);
  EXPECT_EQ(c.get("/no/such/route/" + kUnknown).status, 404);
  EXPECT_EQ(c.post("/workspaces", {{"name", "one"}}).status, 201);
  EXPECT_EQ(c.post("/workspaces", {{"name", "two"}}).status, 201);
  const std::string text = c.get("/metrics").body;
  EXPECT_EQ(metricSample(text, "molecule_http_requests_total", by_id), before + 3);
  EXPECT_EQ(metricSample(text, "molecule_http_requests_total", R"(method="GET",path="unmatched",status="404")"), 1);
  EXPECT_EQ(metricSample(text, "molecule_http_requests_total", R"(method="POST",path="/workspaces",status="201")"), 2);
  EXPECT_EQ(metricSample(text, "molecule_http_request_duration_seconds_count", R"(method="GET",path="/workspaces/:id")"), before + 3);
  EXPECT_EQ(text.find(kUnknown), std::string::npos) << "raw paths never become labels";
  // Without a backend both were marked failed; the other statuses read zero.
  EXPECT_EQ(metricSample(text, "molecule_workspaces", R"(backend="none",status="failed")"), 2);
  EXPECT_EQ(metricSample(text, "molecule_workspaces", R"(backend="none",status="online")"), 0);
  EXPECT_NE(text.find("# TYPE molecule_event_stream_clients gauge"), std::string::npos);
  EXPECT_NE(text.find("# TYPE molecule_http_request_duration_seconds histogram"), std::string::npos);
}

TEST(Metrics, CountEventStreamClientsAndA2aDeliveries) {
  ServerProcess server({"--allow-loopback-agents"}, {{"ADMIN_TOKEN", kAdmin}});
  auto c = server.client(kAdmin);
  auto scrape = [&] { return c.get("/metrics").body; };
  const std::string id = c.post("/workspaces", {{"name", "watched"}}).json()["id"];
  const std::string token = mintToken(c, id);
  {
    auto hub = LiveClient::socket(server.port(), "/ws", {{"Authorization", "Bearer " + kAdmin}});
    auto sse = LiveClient::events(server.port(), "/workspaces/" + id + "/events/stream", {{"Authorization", "Bearer " + token}});
    EXPECT_TRUE(eventually([&] {
      const auto text = scrape();
      return metricSample(text, "molecule_event_stream_clients", R"(transport="websocket")") == 1 &&
             metricSample(text, "molecule_event_stream_clients", R"(transport="sse")") == 1 &&
             metricSample(text, "molecule_websocket_connections_active") == 1;
    })) << scrape();
  }
  EXPECT_TRUE(eventually([&] { return metricSample(scrape(), "molecule_event_stream_clients", R"(transport="websocket")") == 0; }))
      << "a socket that leaves is no longer counted";

  FakeAgent agent;
  const json ext = c.post("/workspaces", {{"name", "remote"}, {"external", true}, {"url", agent.url()}}).json();
  ASSERT_EQ(c.post("/workspaces/" + ext["id"].get<std::string>() + "/a2a", kSend).status, 200);
  const auto text = scrape();
  EXPECT_EQ(metricSample(text, "molecule_a2a_proxy_duration_seconds_count", R"(outcome="ok")"), 1) << text;
  EXPECT_EQ(metricSample(text, "molecule_workspaces", R"(backend="external",status="online")"), 1) << text;
}

TEST(AdminLiveness, EverySweepTicks) {
  ServerProcess server({"--sweep-interval-ms", "100"}, {{"ADMIN_TOKEN", kAdmin}});
  auto c = server.client(kAdmin);
  const std::string id = c.post("/workspaces", {{"name", "w"}}).json()["id"];
  const std::string token = mintToken(c, id);
  EXPECT_EQ(server.client().get("/admin/liveness").status, 401);
  EXPECT_EQ(server.client().get("/admin/liveness", token).status, 401) << "a workspace token is not admin";
  json subsystems;
  ASSERT_TRUE(eventually([&] {
    subsystems = c.get("/admin/liveness").json()["subsystems"];
    return subsystems.size() == 8;
  })) << subsystems.dump();
  for (const char* name : {"liveness-sweep", "provision-timeout-sweep", "scheduler", "health-sweep", "orphan-sweep",
                           "hibernation-monitor", "activity-retention", "stalled-work"}) {
    ASSERT_TRUE(subsystems.contains(name)) << name;
    EXPECT_TRUE(subsystems[name]["last_tick_at"].get<std::string>().ends_with("Z")) << subsystems[name];
    EXPECT_GE(subsystems[name]["seconds_ago"].get<int>(), 0);
    EXPECT_LE(subsystems[name]["seconds_ago"].get<int>(), 60);
  }
}

TEST(WorkspaceMetrics, SumsTheTokenUsageAgentsReport) {
  ServerProcess server({"--allow-loopback-agents"}, {{"ADMIN_TOKEN", kAdmin}});
  auto c = server.client(kAdmin);
  FakeAgent agent;
  agent.answer(200, {{"jsonrpc", "2.0"}, {"id", "1"},
                     {"result", {{"kind", "message"}, {"usage", {{"input_tokens", 1200}, {"output_tokens", 300}}}}}});
  const std::string id = c.post("/workspaces", {{"name", "spender"}, {"external", true}, {"url", agent.url()}}).json()["id"];
  const std::string other = c.post("/workspaces", {{"name", "other"}}).json()["id"];
  const std::string token = mintToken(c, id);
  const std::string other_token = mintToken(c, other);
  const std::string path = "/workspaces/" + id + "/metrics";

  auto empty = c.get(path, token);
  ASSERT_EQ(empty.status, 200) << empty.body;
  EXPECT_EQ(empty.json()["total_calls"], 0);
  EXPECT_EQ(empty.json()["estimated_cost_usd"], "0.000000");

  for (int i = 0; i < 2; ++i) ASSERT_EQ(c.post("/workspaces/" + id + "/a2a", kSend).status, 200);
  const json m = c.get(path, token).json();
  EXPECT_EQ(m["input_tokens"], 2400);
  EXPECT_EQ(m["output_tokens"], 600);
  EXPECT_EQ(m["total_calls"], 2);
  EXPECT_EQ(m["estimated_cost_usd"], "0.016200") << "2400 x $3/M + 600 x $15/M";
  const std::string start = m["period_start"];
  EXPECT_TRUE(std::regex_match(start, std::regex(R"(\d{4}-\d\d-\d\dT00:00:00Z)"))) << start;
  EXPECT_TRUE(std::regex_match(m["period_end"].get<std::string>(), std::regex(R"(\d{4}-\d\d-\d\dT00:00:00Z)")));
  EXPECT_GT(m["period_end"].get<std::string>(), start);

  EXPECT_EQ(c.get("/workspaces/" + other + "/metrics", other_token).json()["total_calls"], 0) << "usage is per workspace";
  EXPECT_EQ(server.client().get(path).status, 401);
  EXPECT_EQ(c.get(path, "not-a-token").status, 401);
  EXPECT_EQ(c.get(path, other_token).status, 401) << "another workspace's token";
  EXPECT_EQ(c.get("/workspaces/" + kUnknown + "/metrics").status, 404);
  EXPECT_EQ(c.get("/workspaces/not-a-uuid/metrics").status, 400);
}

class ScheduleHealth : public ::testing::Test {
 protected:
  ServerProcess server_{{}, {{"ADMIN_TOKEN", kAdmin}}};
  HttpClient admin_ = server_.client(kAdmin);
  HttpClient anon_ = server_.client();

  std::string create(const std::string& name, const std::string& parent = "") {
    json body{{"name", name}};
    if (!parent.empty()) body["parent_id"] = parent;
    auto r = admin_.post("/workspaces", body);
    EXPECT_EQ(r.status, 201) << r.body;
    return r.json()["id"];
  }
  HttpResult health(const std::string& target, const std::string& caller, const std::string& token) {
    std::map<std::string, std::string> headers;
    if (!caller.empty()) headers["X-Workspace-ID"] = caller;
    if (!token.empty()) headers["Authorization"] = "Bearer " + token;
    return anon_.request("GET", "/workspaces/" + target + "/schedules/health", "", headers);
  }
};

TEST_F(ScheduleHealth, PeersReadExecutionStateOnly) {
  const std::string root = create("root");
  const std::string child = create("child", root);
  const std::string stranger_root = create("other-root");
  const std::string stranger = create("stranger", stranger_root);
  const std::string root_token = mintToken(admin_, root);
  const std::string child_token = mintToken(admin_, child);
  const std::string stranger_token = mintToken(admin_, stranger);
  ASSERT_EQ(admin_.post("/workspaces/" + child + "/schedules",
                        {{"name", "nightly"}, {"cron_expr", "0 3 * * *"}, {"prompt", "secret plan"}})
                .status,
            201);

  auto ok = health(child, root, root_token);
  ASSERT_EQ(ok.status, 200) << ok.body;
  ASSERT_EQ(ok.json().size(), 1u);
  const json s = ok.json()[0];
  for (const char* field : {"id", "name", "enabled", "last_run_at", "next_run_at", "run_count", "last_status", "last_error"})
    EXPECT_TRUE(s.contains(field)) << field;
  EXPECT_EQ(s["name"], "nightly");
  EXPECT_TRUE(s["last_run_at"].is_null());
  EXPECT_EQ(ok.body.find("secret plan"), std::string::npos) << "never the prompt";
  EXPECT_FALSE(s.contains("cron_expr"));
  EXPECT_EQ(health(child, child, child_token).status, 200) << "a workspace reads its own";

  auto no_caller = health(child, "", root_token);
  EXPECT_EQ(no_caller.status, 401);
  EXPECT_EQ(no_caller.json()["error"], "X-Workspace-ID header required");
  EXPECT_EQ(health(child, root, "").status, 401) << "the caller's token is required";
  EXPECT_EQ(health(child, root, stranger_token).status, 401) << "a foreign token does not prove the caller";
  EXPECT_EQ(health(child, child, "").status, 401) << "not even for a self-call";
  auto denied = health(child, stranger, stranger_token);
  EXPECT_EQ(denied.status, 403) << "not in the caller's hierarchy";
  EXPECT_EQ(denied.json()["error"], "access denied");
  EXPECT_EQ(health(kUnknown, root, root_token).status, 404);
  EXPECT_EQ(health(child, "not-a-uuid", root_token).status, 400);
  EXPECT_EQ(health(child, root, kAdmin).status, 200) << "the admin token passes";
}

TEST_F(ScheduleHealth, AdminSeesEverySchedule) {
  const std::string a = create("alpha");
  const std::string b = create("beta");
  const std::string token = mintToken(admin_, a);
  ASSERT_EQ(admin_.post("/workspaces/" + b + "/schedules", {{"name", "hourly"}, {"cron_expr", "0 * * * *"}, {"prompt", "p"}}).status, 201);
  ASSERT_EQ(admin_.post("/workspaces/" + a + "/schedules", {{"name", "off"}, {"cron_expr", "*/5 * * * *"}, {"prompt", "p"}, {"enabled", false}}).status, 201);

  EXPECT_EQ(anon_.get("/admin/schedules/health").status, 401);
  EXPECT_EQ(anon_.get("/admin/schedules/health", token).status, 401);
  auto r = admin_.get("/admin/schedules/health");
  ASSERT_EQ(r.status, 200) << r.body;
  const json all = r.json();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0]["workspace_name"], "alpha") << "by workspace name";
  EXPECT_EQ(all[0]["schedule_name"], "off");
  EXPECT_EQ(all[0]["stale_threshold_seconds"], 600);
  EXPECT_TRUE(all[0]["expected_next_run"].is_null()) << "a disabled schedule has no next run";
  EXPECT_EQ(all[1]["workspace_id"], b);
  EXPECT_EQ(all[1]["cron_expr"], "0 * * * *");
  EXPECT_EQ(all[1]["status"], "never_run");
  EXPECT_EQ(all[1]["stale_threshold_seconds"], 7200);
  EXPECT_TRUE(all[1]["last_run_at"].is_null());
  EXPECT_TRUE(all[1]["expected_next_run"].is_string());
  EXPECT_TRUE(all[1].contains("schedule_id"));
}

TEST(AccessLog, OneLinePerRequestWithItsIdAndNoSecret) {
  ServerProcess server({"--log-level", "info"}, {{"ADMIN_TOKEN", kAdmin}});
  auto c = server.client(kAdmin);
  const std::string id = c.post("/workspaces", {{"name", "logged"}}).json()["id"];
  const std::string token = mintToken(c, id);

  auto echoed = c.request("GET", "/workspaces/" + id + "/state?token=query-secret", "",
                          {{"X-Request-Id", "obs-test-42"}, {"Authorization", "Bearer " + token}});
  EXPECT_EQ(echoed.status, 200);
  EXPECT_EQ(echoed.headers["X-Request-Id"], "obs-test-42");
  auto made = c.request("GET", "/health", "", {{"X-Request-Id", "not a sane id"}});
  const std::string generated = made.headers["X-Request-Id"];
  EXPECT_TRUE(std::regex_match(generated, std::regex("[0-9a-f-]{36}"))) << generated;
  EXPECT_EQ(c.get("/no/such/route").headers["X-Request-Id"].size(), 36u) << "errors carry one too";

  std::string log;
  ASSERT_TRUE(eventually([&] {
    log = readFile(server.logPath());
    return log.find("request_id=" + generated) != std::string::npos;
  })) << log;
  EXPECT_NE(log.find("GET /workspaces/:id/state 200"), std::string::npos) << log;
  EXPECT_NE(log.find("request_id=obs-test-42"), std::string::npos) << log;
  EXPECT_EQ(log.find(token), std::string::npos) << "the bearer token never reaches the log";
  EXPECT_EQ(log.find(kAdmin), std::string::npos);
  EXPECT_EQ(log.find("query-secret"), std::string::npos) << "nor the query string";
}

TEST(LogFormat, JsonWritesOneObjectPerLine) {
  TempDir dir;
  const std::string file = dir.path() + "/settings.toml";
  std::ofstream(file) << "log-format = \"json\"\n";
  // The flag, the environment and the settings file.
  const std::vector<std::pair<std::vector<std::string>, std::map<std::string, std::string>>> ways{
      {{"--log-format", "json"}, {}}, {{}, {{"LOG_FORMAT", "json"}}}, {{"--config", file}, {}}};
  for (const auto& [args, env] : ways) {
    auto all_args = args;
    all_args.insert(all_args.end(), {"--log-level", "info"});
    auto all_env = env;
    all_env["ADMIN_TOKEN"] = kAdmin;
    ServerProcess server(all_args, all_env);
    auto c = server.client(kAdmin);
    EXPECT_EQ(c.request("GET", "/workspaces", "", {{"X-Request-Id", "json-line-1"}}).status, 200);
    std::string log;
    ASSERT_TRUE(eventually([&] {
      log = readFile(server.logPath());
      return log.find("json-line-1") != std::string::npos;
    })) << log;
    std::istringstream lines(log);
    bool access = false;
    int count = 0;
    for (std::string line; std::getline(lines, line);) {
      const json j = json::parse(line, nullptr, false);
      ASSERT_TRUE(j.is_object()) << "not a JSON object: " << line;
      EXPECT_TRUE(j.contains("time") && j.contains("level")) << line;
      ++count;
      if (j.value("request_id", "") == "json-line-1") {
        access = true;
        EXPECT_EQ(j["route"], "/workspaces");
        EXPECT_EQ(j["status"], 200);
        EXPECT_EQ(j["method"], "GET");
        EXPECT_TRUE(j["duration_ms"].is_number());
      }
    }
    EXPECT_GT(count, 1) << "start-up lines are JSON too";
    EXPECT_TRUE(access) << log;
  }
}

// An unknown format stops the server before it starts: flag, environment or file alike.
TEST(LogFormat, AnUnknownFormatIsAnError) {
  const std::string bin = WS_SERVER_BINARY;
  for (const std::string& how : {bin + " --log-format xml", "LOG_FORMAT=xml " + bin}) {
    std::FILE* p = ::popen((how + " --port 0 --backend none --db /nonexistent/ws.db 2>&1").c_str(), "r");
    ASSERT_NE(p, nullptr);
    std::string out;
    char buf[1024];
    while (auto n = std::fread(buf, 1, sizeof buf, p)) out.append(buf, n);
    const int status = ::pclose(p);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) != 0) << how << ": " << out;
    EXPECT_NE(out.find("log-format"), std::string::npos) << out;
  }
}

}  // namespace
}  // namespace ws::test
