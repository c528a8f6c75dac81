// Every route against four callers: no token, another workspace's token, the workspace's own
// token, and the ADMIN_TOKEN.

#include <gtest/gtest.h>

#include <sys/stat.h>

#include <array>
#include <fstream>

#include "support/server_process.h"

namespace ws::test {
namespace {

using nlohmann::json;

const std::string kAdmin = "matrix-admin-token";

enum Caller { kNone, kOther, kOwn, kAdminCaller };
constexpr std::array<const char*, 4> kCallerNames{"no token", "other workspace's token", "own token", "admin token"};

struct Row {
  std::string method;
  std::string path;  ///< {W}: the workspace under test; {S}: a sibling; {T}: a spare token id of {W}.
  std::string body;  ///< Same placeholders.
  std::array<int, 4> expected;
  bool fresh = false;  ///< Needs a new workspace per caller (destructive routes).
  std::map<std::string, std::string> headers = {};
};

std::string fill(std::string s, const std::map<std::string, std::string>& vars) {
  for (const auto& [k, v] : vars)
    for (auto pos = s.find(k); pos != std::string::npos; pos = s.find(k, pos + v.size())) s.replace(pos, k.size(), v);
  return s;
}

class AuthMatrix : public ::testing::Test {
 protected:
  ServerProcess server_{{"--allow-loopback-agents"}, {{"ADMIN_TOKEN", kAdmin}}};
  HttpClient admin_ = server_.client(kAdmin);
  HttpClient anon_ = server_.client();

  std::string createWorkspace(const std::string& name) {
    auto r = admin_.post("/workspaces", {{"name", name}});
    EXPECT_EQ(r.status, 201) << r.body;
    return r.json()["id"];
  }
  std::string mintToken(const std::string& id) {
    auto r = admin_.post("/workspaces/" + id + "/tokens", json::object());
    EXPECT_EQ(r.status, 201) << r.body;
    return r.json()["auth_token"];
  }
  std::string tokenId(const std::string& id, const std::string& token) {
    const auto list = admin_.get("/workspaces/" + id + "/tokens").json();
    for (const auto& t : list["tokens"])
      if (t["prefix"] == token.substr(0, 8)) return t["id"];
    return "";
  }
};

TEST_F(AuthMatrix, EveryRouteEveryCaller) {
  const std::string w = createWorkspace("target");
  const std::string s = createWorkspace("sibling");
  const std::string o = createWorkspace("other");
  const std::string own = mintToken(w);
  const std::string other = mintToken(o);

  const std::vector<Row> rows = {
      {"GET", "/health", "", {200, 200, 200, 200}},
      {"GET", "/workspaces", "", {401, 401, 401, 200}},
      {"POST", "/workspaces", R"({"name":"made"})", {401, 401, 401, 201}},
      {"GET", "/workspaces/{W}", "", {200, 200, 200, 200}},
      {"PATCH", "/workspaces/{W}", R"({"role":"edited"})", {401, 401, 200, 200}},
      {"GET", "/workspaces/{W}/state", "", {401, 401, 200, 200}},
      {"DELETE", "/workspaces/{W}", "", {401, 401, 401, 200}, true},
      {"POST", "/registry/register", R"({"id":"{W}","url":"http://localhost:9","agent_card":{}})", {401, 401, 200, 200}},
      {"POST", "/registry/heartbeat", R"({"workspace_id":"{W}"})", {401, 401, 200, 200}},
      {"POST", "/registry/update-card", R"({"workspace_id":"{W}","agent_card":{}})", {401, 401, 200, 200}},
      {"GET", "/registry/discover/{S}", "", {401, 401, 200, 200}, false, {{"X-Workspace-ID", "{W}"}}},
      {"GET", "/registry/{W}/peers", "", {401, 401, 200, 200}},
      {"POST", "/registry/check-access", R"({"caller_id":"{W}","target_id":"{S}"})", {200, 200, 200, 200}},
      {"GET", "/events", "", {401, 401, 401, 200}},
      {"GET", "/events/{W}", "", {401, 401, 401, 200}},
      {"GET", "/admin/workspaces/{W}/test-token", "", {404, 404, 404, 404}},
      {"PATCH", "/workspaces/{W}", R"({"tier":1})", {401, 401, 403, 200}},
      {"PATCH", "/workspaces/{W}", R"({"runtime":"other"})", {401, 401, 403, 200}},
      {"PATCH", "/workspaces/{W}", R"({"workspace_access":"none"})", {401, 401, 403, 200}},
      {"PATCH", "/workspaces/{W}", R"({"workspace_dir":null})", {401, 401, 403, 200}},
      {"GET", "/workspaces/{W}/tokens", "", {401, 401, 200, 200}},
      {"POST", "/workspaces/{W}/tokens", "", {401, 401, 201, 201}},
      {"DELETE", "/workspaces/{W}/tokens/{T}", "", {401, 401, 200, 200}, true},
      {"GET", "/workspaces/{W}/activity", "", {401, 401, 200, 200}},
      {"POST", "/workspaces/{W}/activity", R"({"activity_type":"agent_log","summary":"hi"})", {401, 401, 200, 200}},
      {"GET", "/metrics", "", {200, 200, 200, 200}},
      {"GET", "/admin/liveness", "", {401, 401, 401, 200}},
      {"GET", "/workspaces/{W}/metrics", "", {401, 401, 200, 200}},
      {"GET", "/workspaces/{W}/schedules/health", "", {401, 401, 200, 200}, false, {{"X-Workspace-ID", "{W}"}}},
      {"GET", "/workspaces/{S}/schedules/health", "", {401, 401, 200, 200}, false, {{"X-Workspace-ID", "{W}"}}},
      {"GET", "/admin/schedules/health", "", {401, 401, 401, 200}},
      {"POST", "/workspaces/{W}/notify", R"({"message":"hi"})", {401, 401, 200, 200}},
      {"GET", "/workspaces/{W}/config", "", {401, 401, 200, 200}},
      {"PATCH", "/workspaces/{W}/config", R"({"a":1})", {401, 401, 200, 200}},
      {"POST", "/workspaces/{W}/chat/uploads", "{}", {401, 401, 400, 400}},  // JSON is no upload
      {"GET", "/workspaces/{W}/chat/download?path=/workspace/a.txt", "", {401, 401, 503, 503}},  // no backend
      {"GET", "/canvas/viewport", "", {200, 200, 200, 200}},
      {"PUT", "/canvas/viewport", R"({"x":1,"y":2,"zoom":1})", {401, 200, 200, 200}},  // any valid bearer
      {"GET", "/org/tokens", "", {401, 401, 401, 200}},
      {"POST", "/org/tokens", R"({"name":"matrix"})", {401, 401, 401, 200}},
      {"DELETE", "/org/tokens/7c1d7d1e-0f7e-4a57-9a0b-3f8a1b2c3d4e", "", {401, 401, 401, 404}},
      {"POST", "/workspaces/{W}/delegate", R"({"target_id":"{S}","task":"hi"})", {401, 401, 202, 202}},
      {"GET", "/workspaces/{W}/delegations", "", {401, 401, 200, 200}},
      {"POST", "/workspaces/{W}/delegations/record", R"({"target_id":"{S}","task":"t","delegation_id":"d-1"})", {401, 401, 202, 202}, true},
      {"POST", "/workspaces/{W}/delegations/d-1/update", R"({"status":"failed"})", {401, 401, 404, 404}},  // not recorded here
      {"POST", "/workspaces/{W}/approvals", R"({"action":"deploy"})", {401, 401, 201, 201}},
      {"GET", "/workspaces/{W}/approvals", "", {401, 401, 200, 200}},
      {"POST", "/workspaces/{W}/approvals/7c1d7d1e-0f7e-4a57-9a0b-3f8a1b2c3d4e/decide", R"({"decision":"approved"})", {401, 401, 404, 404}},
      {"GET", "/approvals/pending", "", {401, 401, 401, 200}},
      {"POST", "/workspaces/{W}/memory", R"({"key":"k","value":1})", {401, 401, 200, 200}},
      {"GET", "/workspaces/{W}/memory", "", {401, 401, 200, 200}},
      {"GET", "/workspaces/{W}/memory/k", "", {401, 401, 200, 200}},
      {"DELETE", "/workspaces/{W}/memory/k", "", {401, 401, 200, 200}},
      {"GET", "/admin/memories/export", "", {401, 401, 401, 200}},
      {"POST", "/admin/memories/import", "[]", {401, 401, 401, 200}},
      {"POST", "/admin/a2a-queue/drop-stale", "", {401, 401, 401, 200}},
      {"GET", "/workspaces/{W}/session-search?q=hi", "", {401, 401, 200, 200}},
      {"GET", "/workspaces/{W}/transcript", "", {401, 401, 200, 200}},
      {"GET", "/workspaces/{W}/traces", "", {401, 401, 200, 200}},
      {"POST", "/workspaces/{W}/mcp", R"({"jsonrpc":"2.0","id":1,"method":"tools/list"})", {401, 401, 200, 200}},
  };

  for (const auto& row : rows) {
    for (int caller = kNone; caller <= kAdminCaller; ++caller) {
      std::map<std::string, std::string> vars{{"{W}", w}, {"{S}", s}};
      std::string own_token = own;
      if (row.fresh) {
        const std::string f = createWorkspace("fresh");
        own_token = mintToken(f);
        const std::string spare = mintToken(f);
        vars = {{"{W}", f}, {"{S}", s}, {"{T}", tokenId(f, spare)}};
      }
      std::map<std::string, std::string> headers;
      for (const auto& [k, v] : row.headers) headers[k] = fill(v, vars);
      const std::array<std::string, 4> bearer{"", other, own_token, kAdmin};
      if (!bearer[caller].empty()) headers["Authorization"] = "Bearer " + bearer[caller];
      const std::string path = fill(row.path, vars);
      auto r = anon_.request(row.method, path, fill(row.body, vars), headers);
      EXPECT_EQ(r.status, row.expected[caller])
          << row.method << " " << row.path << " with " << kCallerNames[caller] << ": " << r.body;
    }
  }
}

// Without ADMIN_TOKEN the server makes its own at first start, keeps it beside the database
// (mode 0600) and reads it back at the next start; admin routes are never open.
TEST(AuthModes, GeneratedAdminTokenGuardsAdminRoutesFromTheStart) {
  TempDir dir;
  const std::string db = dir.path() + "/ws.db";
  std::string token;
  {
    ServerProcess server({"--db", db}, {});
    auto c = server.client();
    EXPECT_EQ(c.get("/workspaces").status, 401) << "no anonymous bootstrap window";
    struct stat st {};
    ASSERT_EQ(::stat((db + ".admin-token").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    std::ifstream(db + ".admin-token") >> token;
    ASSERT_GE(token.size(), 32u);
    const std::string id = c.post("/workspaces", {{"name", "first"}}, token).json()["id"];
    const std::string ws_token = c.post("/workspaces/" + id + "/tokens", json::object(), token).json()["auth_token"];
    EXPECT_EQ(c.get("/workspaces", ws_token).status, 401) << "a workspace token is never admin";
    EXPECT_EQ(c.post("/workspaces", {{"name", "second"}}, token).status, 201) << "the operator can go on creating";
  }
  ServerProcess again({"--db", db}, {});
  EXPECT_EQ(again.client(token).get("/workspaces").status, 200) << "the same token after a restart";
}

TEST(AuthModes, DevModeOpensNothingButTheTestTokenRoute) {
  ServerProcess server({"--allow-loopback-agents"}, {{"MOLECULE_ENV", "development"}, {"ADMIN_TOKEN", kAdmin}});
  auto c = server.client();
  auto a = server.client(kAdmin);
  const std::string id = a.post("/workspaces", {{"name", "dev"}}).json()["id"];
  EXPECT_EQ(c.get("/admin/workspaces/" + id + "/test-token").status, 401);
  const std::string token = a.get("/admin/workspaces/" + id + "/test-token").json()["auth_token"];
  EXPECT_EQ(c.get("/workspaces").status, 401);
  EXPECT_EQ(c.get("/workspaces/" + id + "/activity").status, 401);
  EXPECT_EQ(c.post("/registry/heartbeat", {{"workspace_id", id}}).status, 401);
  EXPECT_EQ(c.post("/registry/heartbeat", {{"workspace_id", id}}, token).status, 200);
}

TEST(AuthModes, TestTokenHiddenInProduction) {
  ServerProcess server({}, {{"MOLECULE_ENV", "production"}, {"ADMIN_TOKEN", kAdmin}, {"SECRETS_ENCRYPTION_KEY", std::string(32, 'k')}});
  auto c = server.client(kAdmin);
  const std::string id = c.post("/workspaces", {{"name", "prod"}}).json()["id"];
  EXPECT_EQ(c.get("/admin/workspaces/" + id + "/test-token").status, 404);
}

TEST(AuthModes, TokenLifecycle) {
  ServerProcess server({}, {{"ADMIN_TOKEN", kAdmin}});
  auto a = server.client(kAdmin);
  const std::string id = a.post("/workspaces", {{"name", "tokens"}}).json()["id"];
  auto made = a.post("/workspaces/" + id + "/tokens", json::object());
  ASSERT_EQ(made.status, 201);
  const std::string token = made.json()["auth_token"];
  auto list = a.get("/workspaces/" + id + "/tokens").json();
  ASSERT_EQ(list["count"], 1);
  EXPECT_EQ(list["tokens"][0]["prefix"], token.substr(0, 8));
  EXPECT_FALSE(list.dump().find(token) != std::string::npos) << "plaintext must never be listed";
  const std::string tid = list["tokens"][0]["id"];
  EXPECT_EQ(a.get("/workspaces/" + id + "/state", token).status, 200);
  EXPECT_EQ(a.request("DELETE", "/workspaces/" + id + "/tokens/" + tid).status, 200);
  EXPECT_EQ(a.request("DELETE", "/workspaces/" + id + "/tokens/" + tid).status, 404);
  auto anon = server.client();
  EXPECT_EQ(anon.get("/workspaces/" + id + "/state", token).status, 401);
  for (int i = 0; i < 50; ++i) ASSERT_EQ(a.post("/workspaces/" + id + "/tokens", json::object()).status, 201);
  EXPECT_EQ(a.post("/workspaces/" + id + "/tokens", json::object()).status, 429);
}

}  // namespace
}  // namespace ws::test
