// The auth matrix, generated from the server's own route table (workspace-server
// --list-routes): every route against five callers (no token, another workspace's token, the
// workspace's own token, the admin token, an organization API token). Each route's tier is declared below; a route the
// server serves without a declared tier fails the test, so none can be added unnoticed.

#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <map>
#include <set>

#include "support/server_process.h"

namespace ws::test {
namespace {

using nlohmann::json;

const std::string kAdmin = "matrix-admin-token";

enum class Tier {
  open,       ///< Anyone.
  admin,      ///< The admin token only.
  workspace,  ///< The workspace's own token or the admin token.
  agent,      ///< Open at the router; the handler requires the named workspace's token (or the admin token).
  canvas,     ///< Any valid bearer (any workspace's token, the admin token), or the canvas's origin.
};

struct Declared {
  Tier tier;
  std::string body = "{}";  ///< {W}: the workspace under test; {S}: a sibling.
  std::map<std::string, std::string> headers = {};
  bool stream = false;  ///< An endless answer (server-sent events): only its status is read.
};

// Who may call what. Keep in step with docs/security.md.
const std::map<std::string, Declared> kDeclared = {
    {"GET /health", {Tier::open}},
    {"GET /", {Tier::open}},  // the dashboard's page and files hold no data
    {"GET /assets/*name", {Tier::open}},
    {"GET /workspaces", {Tier::admin}},
    {"POST /workspaces", {Tier::admin, R"({"name":"made"})"}},
    {"GET /workspaces/:id", {Tier::open}},
    {"PATCH /workspaces/:id", {Tier::workspace, R"({"role":"edited"})"}},
    {"DELETE /workspaces/:id", {Tier::admin}},
    {"GET /workspaces/:id/state", {Tier::workspace}},
    {"POST /registry/register", {Tier::agent, R"({"id":"{W}","url":"http://127.0.0.1:9","agent_card":{}})"}},
    {"POST /registry/heartbeat", {Tier::agent, R"({"workspace_id":"{W}"})"}},
    {"POST /registry/update-card", {Tier::agent, R"({"workspace_id":"{W}","agent_card":{}})"}},
    {"GET /registry/discover/:id", {Tier::agent, "", {{"X-Workspace-ID", "{W}"}}}},
    {"GET /registry/:id/peers", {Tier::agent}},
    {"POST /registry/check-access", {Tier::open, R"({"caller_id":"{W}","target_id":"{S}"})"}},
    {"GET /events", {Tier::admin}},
    // As an agent; without X-Workspace-ID it is the canvas's, admin only (live_events_test).
    {"GET /ws", {Tier::agent, "", {{"X-Workspace-ID", "{W}"}}}},
    {"GET /workspaces/:id/events/stream", {Tier::workspace, "", {}, true}},
    {"GET /events/:workspaceId", {Tier::admin}},
    {"GET /admin/workspaces/:id/test-token", {Tier::admin}},
    {"GET /workspaces/:id/tokens", {Tier::workspace}},
    {"POST /workspaces/:id/tokens", {Tier::workspace}},
    {"DELETE /workspaces/:id/tokens/:tokenId", {Tier::workspace}},
    {"GET /workspaces/:id/activity", {Tier::workspace}},
    {"POST /workspaces/:id/activity", {Tier::workspace, R"({"activity_type":"agent_log","summary":"hi"})"}},
    {"GET /workspaces/:id/terminal", {Tier::workspace}},
    {"POST /workspaces/:id/restart", {Tier::workspace}},
    {"POST /workspaces/:id/pause", {Tier::workspace}},
    {"POST /workspaces/:id/resume", {Tier::workspace}},
    {"POST /workspaces/:id/hibernate", {Tier::workspace}},
    {"GET /workspaces/:id/boot-log", {Tier::workspace}},
    {"POST /workspaces/:id/expand", {Tier::workspace}},
    {"POST /workspaces/:id/collapse", {Tier::workspace}},
    {"GET /workspaces/:id/console", {Tier::admin}},
    {"POST /admin/workspaces/:id/bootstrap-failed", {Tier::admin}},
    {"POST /org/import", {Tier::admin}},
    {"GET /org/templates", {Tier::admin}},
    {"GET /bundles/export/:id", {Tier::admin}},
    {"POST /bundles/import", {Tier::admin, R"({"name":"imported"})"}},
    {"GET /templates", {Tier::admin}},
    {"POST /templates/import", {Tier::admin}},
    {"GET /workspaces/:id/shared-context", {Tier::workspace}},
    {"GET /workspaces/:id/files", {Tier::workspace}},
    {"PUT /workspaces/:id/files", {Tier::workspace}},
    {"GET /workspaces/:id/files/*path", {Tier::workspace}},
    {"PUT /workspaces/:id/files/*path", {Tier::workspace}},
    {"DELETE /workspaces/:id/files/*path", {Tier::workspace}},
    {"GET /workspaces/:id/secrets", {Tier::workspace}},
    {"GET /workspaces/:id/secrets/values", {Tier::workspace}},
    {"POST /workspaces/:id/secrets", {Tier::workspace}},
    {"PUT /workspaces/:id/secrets", {Tier::workspace}},
    {"DELETE /workspaces/:id/secrets/:key", {Tier::workspace}},
    {"GET /workspaces/:id/model", {Tier::workspace}},
    {"PUT /workspaces/:id/model", {Tier::workspace}},
    {"GET /settings/secrets", {Tier::admin}},
    {"POST /settings/secrets", {Tier::admin}},
    {"PUT /settings/secrets", {Tier::admin}},
    {"DELETE /settings/secrets/:key", {Tier::admin}},
    {"GET /admin/secrets", {Tier::admin}},
    {"POST /admin/secrets", {Tier::admin}},
    {"DELETE /admin/secrets/:key", {Tier::admin}},
    {"GET /plugins", {Tier::open}},
    {"GET /workspaces/:id/plugins", {Tier::workspace}},
    {"POST /workspaces/:id/plugins", {Tier::workspace}},
    {"DELETE /workspaces/:id/plugins/:name", {Tier::workspace}},
    {"POST /workspaces/:id/a2a", {Tier::workspace}},  // from the canvas: no X-Workspace-ID
    {"GET /workspaces/:id/budget", {Tier::workspace}},
    {"PATCH /workspaces/:id/budget", {Tier::admin}},
    {"POST /workspaces/:id/memories", {Tier::workspace}},
    {"GET /workspaces/:id/memories", {Tier::workspace}},
    {"DELETE /workspaces/:id/memories/:memoryId", {Tier::workspace}},
    {"GET /workspaces/:id/schedules", {Tier::workspace}},
    {"POST /workspaces/:id/schedules", {Tier::workspace}},
    {"PATCH /workspaces/:id/schedules/:scheduleId", {Tier::workspace}},
    {"DELETE /workspaces/:id/schedules/:scheduleId", {Tier::workspace}},
    {"POST /workspaces/:id/schedules/:scheduleId/run", {Tier::workspace}},
    {"GET /workspaces/:id/schedules/:scheduleId/history", {Tier::workspace}},
    {"GET /workspaces/:id/schedules/health", {Tier::agent, "", {{"X-Workspace-ID", "{W}"}}}},
    {"GET /admin/schedules/health", {Tier::admin}},
    {"GET /metrics", {Tier::open}},
    {"GET /admin/liveness", {Tier::admin}},
    {"GET /workspaces/:id/metrics", {Tier::workspace}},
    {"POST /workspaces/:id/notify", {Tier::workspace, R"({"message":"hi"})"}},
    {"GET /workspaces/:id/config", {Tier::workspace}},
    {"PATCH /workspaces/:id/config", {Tier::workspace, R"({"theme":"dark"})"}},
    {"POST /workspaces/:id/chat/uploads", {Tier::workspace}},
    {"GET /workspaces/:id/chat/download", {Tier::workspace}},
    {"GET /canvas/viewport", {Tier::open}},
    {"PUT /canvas/viewport", {Tier::canvas, R"({"x":1,"y":2,"zoom":1})"}},
    {"GET /org/tokens", {Tier::admin}},
    {"POST /org/tokens", {Tier::admin, R"({"name":"matrix"})"}},
    {"DELETE /org/tokens/:id", {Tier::admin}},
    {"POST /workspaces/:id/delegate", {Tier::workspace, R"({"target_id":"{S}","task":"hi"})"}},
    {"GET /workspaces/:id/delegations", {Tier::workspace}},
    {"POST /workspaces/:id/delegations/record", {Tier::workspace, R"({"target_id":"{S}","task":"t","delegation_id":"d-1"})"}},
    {"POST /workspaces/:id/delegations/:delegation_id/update", {Tier::workspace, R"({"status":"failed"})"}},
    {"POST /workspaces/:id/approvals", {Tier::workspace, R"({"action":"deploy"})"}},
    {"GET /workspaces/:id/approvals", {Tier::workspace}},
    {"POST /workspaces/:id/approvals/:approvalId/decide", {Tier::workspace, R"({"decision":"approved"})"}},
    {"GET /approvals/pending", {Tier::admin}},
    {"GET /workspaces/:id/memory", {Tier::workspace}},
    {"GET /workspaces/:id/memory/:key", {Tier::workspace}},
    {"POST /workspaces/:id/memory", {Tier::workspace, R"({"key":"k","value":1})"}},
    {"DELETE /workspaces/:id/memory/:key", {Tier::workspace}},
    {"GET /admin/memories/export", {Tier::admin}},
    {"POST /admin/memories/import", {Tier::admin, "[]"}},
    {"POST /admin/a2a-queue/drop-stale", {Tier::admin}},
    {"GET /workspaces/:id/session-search", {Tier::workspace}},
    {"GET /workspaces/:id/transcript", {Tier::workspace}},
    {"GET /workspaces/:id/traces", {Tier::workspace}},
    {"POST /workspaces/:id/mcp", {Tier::workspace, R"({"jsonrpc":"2.0","id":1,"method":"tools/list"})"}},
    {"GET /workspaces/:id/mcp/stream", {Tier::workspace, "", {}, true}},
};

struct Route {
  std::string method, pattern, auth;
};

// The table as the server binary lists it, in development mode so that every route exists.
std::vector<Route> serverRoutes() {
  const std::string cmd = std::string(WS_SERVER_BINARY) + " --list-routes --env development";
  std::FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) throw std::runtime_error("cannot run " + cmd);
  std::string out;
  char buf[4096];
  while (auto n = std::fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  if (::pclose(p) != 0) throw std::runtime_error(cmd + " failed");
  std::vector<Route> routes;
  std::size_t start = 0;
  for (auto end = out.find('\n'); end != std::string::npos; start = end + 1, end = out.find('\n', start)) {
    const auto j = json::parse(out.substr(start, end - start));
    routes.push_back({j["method"], j["pattern"], j["auth"]});
  }
  return routes;
}

std::string fill(std::string s, const std::map<std::string, std::string>& vars) {
  for (const auto& [k, v] : vars)
    for (auto pos = s.find(k); pos != std::string::npos; pos = s.find(k, pos + v.size())) s.replace(pos, k.size(), v);
  return s;
}

// A concrete path for a pattern: the workspace for :id, fixed values for the other parameters.
std::string pathFor(const std::string& pattern, const std::string& w) {
  return fill(pattern, {{":id", w},
                        {":workspaceId", w},
                        {":tokenId", "7c1d7d1e-0f7e-4a57-9a0b-3f8a1b2c3d4e"},
                        {":memoryId", "7c1d7d1e-0f7e-4a57-9a0b-3f8a1b2c3d4e"},
                        {":scheduleId", "7c1d7d1e-0f7e-4a57-9a0b-3f8a1b2c3d4e"},
                        {":approvalId", "7c1d7d1e-0f7e-4a57-9a0b-3f8a1b2c3d4e"},
                        {":delegation_id", "d-1"},
                        {":key", "SOME_KEY"},
                        {":name", "echo-skill"},
                        {"*path", "notes/todo.md"},
                        {"*name", "app.js"}});
}

TEST(ReliabilityAuthMatrix, EveryRouteHasADeclaredTier) {
  const auto routes = serverRoutes();
  ASSERT_GT(routes.size(), 50u);
  std::set<std::string> served;
  for (const auto& r : routes) {
    const std::string key = r.method + " " + r.pattern;
    served.insert(key);
    auto it = kDeclared.find(key);
    ASSERT_NE(it, kDeclared.end()) << key << " has no declared tier: add it to kDeclared (and docs/security.md)";
    const Tier t = it->second.tier;
    const std::string want = t == Tier::admin    ? "admin"
                             : t == Tier::canvas ? "canvas"
                             : t == Tier::workspace && r.pattern != "/workspaces/:id/a2a" ? "workspace"
                                                                                          : "open";
    EXPECT_EQ(r.auth, want) << key << ": the router's policy differs from the declared tier";
  }
  for (const auto& [key, d] : kDeclared) EXPECT_TRUE(served.count(key)) << key << " is declared but not served";
}

// A browser page on an allowed origin (the defaults: localhost:3000 and :3001) may call every
// route: each answers its preflight with the CORS grant, before authentication.
TEST(ReliabilityAuthMatrix, EveryRouteAnswersABrowserPreflight) {
  ServerProcess server({}, {{"ADMIN_TOKEN", kAdmin}, {"MOLECULE_ENV", "development"}});
  auto anon = server.client();
  const std::string w = "7c1d7d1e-0f7e-4a57-9a0b-3f8a1b2c3d4e";
  for (const auto& r : serverRoutes()) {
    auto res = anon.request("OPTIONS", pathFor(r.pattern, w), "",
                            {{"Origin", "http://localhost:3000"}, {"Access-Control-Request-Method", r.method},
                             {"Access-Control-Request-Headers", "authorization,content-type"}});
    EXPECT_EQ(res.status, 204) << r.method << " " << r.pattern << ": " << res.body;
    EXPECT_EQ(res.headers["Access-Control-Allow-Origin"], "http://localhost:3000") << r.pattern;
    EXPECT_EQ(res.headers["Access-Control-Allow-Credentials"], "true") << r.pattern;
    EXPECT_NE(res.headers["Access-Control-Allow-Methods"].find(r.method), std::string::npos) << r.pattern;
  }
}

TEST(ReliabilityAuthMatrix, EveryRouteEveryCaller) {
  ServerProcess server({"--allow-loopback-agents"}, {{"ADMIN_TOKEN", kAdmin}, {"MOLECULE_ENV", "development"}});
  auto admin = server.client(kAdmin);
  auto anon = server.client();
  const std::string other_ws = admin.post("/workspaces", {{"name", "other"}}).json()["id"];
  const std::string other = admin.post("/workspaces/" + other_ws + "/tokens", json::object()).json()["auth_token"];
  const std::string org = admin.post("/org/tokens", {{"name", "matrix"}}).json()["auth_token"];
  int calls = 0;
  for (const auto& r : serverRoutes()) {
    const auto& d = kDeclared.at(r.method + " " + r.pattern);
    for (int caller = 0; caller < 5; ++caller) {
      // A fresh workspace per call: destructive routes must not change the next call's target.
      const std::string w = admin.post("/workspaces", {{"name", "target"}}).json()["id"];
      const std::string s = admin.post("/workspaces", {{"name", "sibling"}}).json()["id"];
      const std::string own = admin.post("/workspaces/" + w + "/tokens", json::object()).json()["auth_token"];
      const std::map<std::string, std::string> vars{{"{W}", w}, {"{S}", s}};
      std::map<std::string, std::string> headers;
      for (const auto& [k, v] : d.headers) headers[k] = fill(v, vars);
      const std::array<std::string, 5> bearer{"", other, own, kAdmin, org};
      if (!bearer[caller].empty()) headers["Authorization"] = "Bearer " + bearer[caller];
      const std::string body = r.method == "GET" || r.method == "DELETE" ? "" : fill(d.body, vars);
      auto res = d.stream ? HttpResult{streamStatus(server.port(), pathFor(r.pattern, w), headers), "{}", {}}
                          : anon.request(r.method, pathFor(r.pattern, w), body, headers);
      ++calls;
      // An org token passes wherever the admin token does; the canvas gate takes any valid bearer.
      const bool allowed = d.tier == Tier::open || caller >= 3 || (caller == 2 && d.tier != Tier::admin) ||
                           (caller == 1 && d.tier == Tier::canvas);
      const bool refused = res.status == 401 || res.status == 403;
      static constexpr std::array<const char*, 5> kNames{"no token", "another workspace's token", "own token", "admin token",
                                                         "org token"};
      EXPECT_EQ(refused, !allowed) << r.method << " " << r.pattern << " with " << kNames[caller] << ": " << res.status
                                   << " " << res.body.substr(0, 200);
      EXPECT_LT(res.status, 500 + (res.status == 501 || res.status == 502 || res.status == 503 ? 100 : 0))
          << r.method << " " << r.pattern << ": " << res.body.substr(0, 200);
    }
  }
  EXPECT_EQ(admin.get("/health").status, 200);
  std::printf("auth matrix: %d calls over %zu routes\n", calls, kDeclared.size());
}

}  // namespace
}  // namespace ws::test
