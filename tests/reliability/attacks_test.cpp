// Every attack the trust review tried, as a regression test against the real binary: each
// gets a clear error with the right status, changes nothing, and leaves the server serving.

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>
#include <tuple>

#include "support/server_process.h"

namespace ws::test {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

const std::string kAdmin = "attacks-admin-token";

std::string nested(std::size_t depth, char open = '[', char close = ']') {
  return std::string(depth, open) + std::string(depth, close);
}

class Attacks : public ::testing::Test {
 protected:
  TempDir root_;
  ServerProcess server_{{"--workspace-dir-root", root_.path()}, {{"ADMIN_TOKEN", kAdmin}}};
  HttpClient admin_ = server_.client(kAdmin);
  HttpClient anon_ = server_.client();
  std::string id_ = admin_.post("/workspaces", {{"name", "target"}}).json()["id"];
  std::string token_ = admin_.post("/workspaces/" + id_ + "/tokens", json::object()).json()["auth_token"];
  int tried_ = 0;

  std::string snapshot() { return admin_.get("/workspaces").body + admin_.get("/events?limit=1000").body; }

  // The request is refused with `status` and a JSON error, nothing changes, the server lives.
  void expectRefused(const std::string& method, const std::string& path, const std::string& body, int status,
                     const std::string& bearer = kAdmin, std::map<std::string, std::string> headers = {}) {
    ++tried_;
    const std::string before = snapshot();
    if (!bearer.empty()) headers["Authorization"] = "Bearer " + bearer;
    auto r = anon_.request(method, path, body, headers);
    EXPECT_EQ(r.status, status) << method << " " << path << " " << body.substr(0, 80) << ": " << r.body.substr(0, 300);
    EXPECT_TRUE(r.json().contains("error")) << r.body.substr(0, 300);
    EXPECT_EQ(snapshot(), before) << method << " " << path << " changed state";
    ASSERT_EQ(anon_.get("/health").status, 200) << "the server died on " << method << " " << path;
  }
  void TearDown() override { std::printf("bad inputs tried: %d\n", tried_); }
};

// One unauthenticated heartbeat nesting 200,000 arrays used to overflow the stack.
TEST_F(Attacks, DeeplyNestedJsonIsA400Everywhere) {
  const std::string deep = R"({"workspace_id":")" + id_ + R"(","x":)" + nested(200000) + "}";
  expectRefused("POST", "/registry/heartbeat", deep, 400, "");
  expectRefused("POST", "/registry/heartbeat", deep, 400, token_);
  expectRefused("POST", "/workspaces", R"({"name":"x","secrets":)" + nested(100000, '{', '}') + "}", 400);
  expectRefused("PATCH", "/workspaces/" + id_, R"({"role":)" + nested(65) + "}", 400);
  expectRefused("POST", "/workspaces/" + id_ + "/a2a", R"({"params":)" + nested(5000) + "}", 400);
  expectRefused("POST", "/org/import", R"({"template":)" + nested(5000, '{', '}') + "}", 400);
  expectRefused("POST", "/workspaces/" + id_ + "/memories", R"({"content":"x","meta":)" + nested(70) + "}", 400);
  // 64 levels are fine: the limit is not a refusal of ordinary nesting.
  std::string ok = R"({"workspace_id":")" + id_ + R"(","sample_error":"e","x":)" + nested(60) + "}";
  EXPECT_NE(anon_.post("/registry/heartbeat", json::parse(ok), token_).status, 400);
}

// ~99 KB of one letter made the backtracking redaction recurse once per character.
TEST_F(Attacks, RedactionIsLinear) {
  std::string tokens;
  while (tokens.size() < 99'000) tokens += "X_TOKEN sk-short ";
  for (const std::string& content : {std::string(99'000, 'A'), tokens}) {
    const auto t0 = Clock::now();
    auto r = admin_.post("/workspaces/" + id_ + "/memories", {{"content", content}});
    EXPECT_EQ(r.status, 201) << r.body.substr(0, 200);
    EXPECT_LT(Clock::now() - t0, std::chrono::seconds(5));
    ASSERT_EQ(anon_.get("/health").status, 200);
  }
  const auto stored = admin_.get("/workspaces/" + id_ + "/memories").body;
  EXPECT_EQ(stored.find("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"), std::string::npos) << "stored unredacted";
}

// A workspace's own token cannot make its workload privileged or mount the host.
TEST_F(Attacks, PrivilegeStaysWithTheOperator) {
  for (const char* body : {R"({"tier":4})", R"({"tier":3})", R"({"workspace_dir":"/"})", R"({"workspace_dir":"/root"})",
                           R"({"workspace_dir":"//etc"})", R"({"workspace_dir":"/./etc"})",
                           R"({"workspace_access":"read_write"})", R"({"runtime":"other"})"}) {
    expectRefused("PATCH", "/workspaces/" + id_, body, 403, token_);
  }
  // The admin token may change them, but host directories only under the configured root.
  for (const char* dir : {"/", "/root", "//etc", "/./etc", "/var/run/docker.sock"}) {
    expectRefused("PATCH", "/workspaces/" + id_, json{{"workspace_dir", dir}}.dump(), 400);
    expectRefused("POST", "/workspaces", json{{"name", "x"}, {"workspace_dir", dir}}.dump(), 400);
  }
  expectRefused("PATCH", "/workspaces/" + id_, json{{"workspace_dir", root_.path() + "/../etc"}}.dump(), 400);
  auto ok = admin_.request("PATCH", "/workspaces/" + id_, json{{"workspace_dir", root_.path() + "/./project/"}}.dump());
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(admin_.get("/workspaces").json()[0]["workspace_dir"], root_.path() + "/project") << "stored normalised";
  EXPECT_EQ(admin_.request("PATCH", "/workspaces/" + id_, R"({"tier":4})").status, 200);
}

TEST(AttacksWithoutRoot, HostDirectoriesCannotBeMountedWithoutARoot) {
  ServerProcess server({}, {{"ADMIN_TOKEN", kAdmin}});
  auto c = server.client(kAdmin);
  const auto r = c.post("/workspaces", {{"name", "x"}, {"workspace_dir", "/srv/project"}});
  EXPECT_EQ(r.status, 403) << r.body;
  EXPECT_NE(r.json()["error"].get<std::string>().find("WORKSPACE_DIR_ROOT"), std::string::npos);
}

// An external workspace has no workload here: every backend route is a 409, even one whose id
// shares a managed workspace's prefix.
TEST(AttacksOnExternal, ExternalWorkspacesReachNoWorkload) {
  ServerProcess server({"--allow-loopback-agents"}, {{"ADMIN_TOKEN", kAdmin}});
  auto c = server.client(kAdmin);
  const std::string managed = c.post("/workspaces", {{"name", "managed"}}).json()["id"];
  const std::string twin = managed.substr(0, 14) + "4000-8000-000000000000";  // same first 14 characters
  auto reg = c.post("/registry/register", {{"id", twin}, {"url", "http://127.0.0.1:9"}, {"agent_card", json::object()}});
  ASSERT_EQ(reg.status, 200) << reg.body;
  for (const auto& [method, path, body] : std::vector<std::tuple<std::string, std::string, std::string>>{
           {"GET", "/boot-log", ""},
           {"GET", "/files", ""},
           {"GET", "/files/notes.md", ""},
           {"PUT", "/files/notes.md", R"({"content":"x"})"},
           {"DELETE", "/files/notes.md", ""},
           {"PUT", "/files", R"({"files":{"a":"b"}})"},
           {"POST", "/plugins", R"({"source":"local://echo-skill"})"},
           {"DELETE", "/plugins/echo-skill", ""},
           {"POST", "/restart", ""}}) {
    auto r = c.request(method, "/workspaces/" + twin + path, body);
    EXPECT_EQ(r.status, 409) << method << " " << path << ": " << r.body;
  }
  EXPECT_THROW(terminalExchange(server.port(), "/workspaces/" + twin + "/terminal",
                                {{"Authorization", "Bearer " + kAdmin}}, "echo hi\n", "hi", std::chrono::seconds(5)),
               std::runtime_error);
}

// A page of another site, calling directly or through a DNS name rebound to this server, gets
// nothing: a foreign Host is a 421, a cross-site Origin outside CORS_ORIGINS a 403 (preflight
// included), and the terminal, which a browser opens without CORS, checks the Origin itself.
TEST_F(Attacks, OtherSitesPagesAreRefused) {
  expectRefused("GET", "/workspaces", "", 421, kAdmin, {{"Host", "rebound.evil.example:8080"}});
  expectRefused("DELETE", "/workspaces/" + id_, "", 421, kAdmin, {{"Host", "rebound.evil.example"}});
  expectRefused("POST", "/workspaces", R"({"name":"x"})", 403, kAdmin, {{"Origin", "http://evil.example"}});
  expectRefused("OPTIONS", "/workspaces/" + id_, "", 403, "",
                {{"Origin", "http://evil.example"}, {"Access-Control-Request-Method", "DELETE"}});
  const auto shell = [&](const std::map<std::string, std::string>& headers) {
    try {
      terminalExchange(server_.port(), "/workspaces/" + id_ + "/terminal", headers, "echo hi\n", "hi",
                       std::chrono::seconds(5));
      return std::string("opened");
    } catch (const std::runtime_error& e) {
      return std::string(e.what());
    }
  };
  const std::map<std::string, std::string> admin{{"Authorization", "Bearer " + kAdmin}};
  auto foreign = admin;
  foreign["Origin"] = "http://evil.example";
  EXPECT_EQ(shell(foreign), "upgrade refused: 403");
  auto rebound = admin;
  rebound["Host"] = "rebound.evil.example";
  EXPECT_EQ(shell(rebound), "upgrade refused: 403");
  EXPECT_NE(shell(admin), "upgrade refused: 403") << "without a browser's Origin the terminal gets as far as the backend";
}

// Loopback agents only in development mode or with --allow-loopback-agents.
TEST_F(Attacks, LoopbackAndSpecialPurposeAgentUrlsAreRefused) {
  for (const char* url : {"http://localhost:8000/", "http://127.0.0.1:8000", "http://[::1]:80", "http://[::ffff:127.0.0.1]/",
                          "http://[64:ff9b::a9fe:a9fe]/", "http://[2002:7f00:1::]/", "http://169.254.169.254/",
                          "http://0.0.0.0:80", "http://100.64.0.1", "http://198.18.0.1", "http://[fe80::1]",
                          "http://user:pw@93.184.216.34/"}) {
    expectRefused("POST", "/registry/register",
                  json{{"id", id_}, {"url", url}, {"agent_card", json::object()}}.dump(), 400, token_);
    expectRefused("POST", "/workspaces", json{{"name", "x"}, {"external", true}, {"url", url}}.dump(), 400);
  }
}

TEST(AttacksOnDevelopmentMode, LoopbackAgentsInDevelopmentMode) {
  ServerProcess server({}, {{"ADMIN_TOKEN", kAdmin}, {"MOLECULE_ENV", "development"}});
  auto c = server.client(kAdmin);
  EXPECT_EQ(c.post("/workspaces", {{"name", "x"}, {"external", true}, {"url", "http://localhost:8000"}}).status, 201);
}

// Billion laughs and deep nesting in an org template, sent or read from the templates directory.
TEST(AttacksOnOrgImport, OrgTemplatesAreBounded) {
  std::string laughs = "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n";
  for (char c = 'b'; c <= 'j'; ++c)
    laughs += std::string(1, c) + ": &" + c + " [*" + char(c - 1) + ",*" + char(c - 1) + ",*" + char(c - 1) + ",*" +
              char(c - 1) + ",*" + char(c - 1) + ",*" + char(c - 1) + ",*" + char(c - 1) + ",*" + char(c - 1) + ",*" +
              char(c - 1) + "]\n";
  laughs += "name: lol\nworkspaces:\n  - name: one\n    role: *j\n";
  TempDir templates;
  std::filesystem::create_directories(templates.path() + "/laughs");
  std::ofstream(templates.path() + "/laughs/org.yaml") << laughs;
  ServerProcess server({"--org-templates-dir", templates.path()}, {{"ADMIN_TOKEN", kAdmin}});
  auto c = server.client(kAdmin);
  const std::map<std::string, std::string> yaml{{"Content-Type", "application/yaml"}};
  const auto t0 = Clock::now();
  auto r = c.post("/org/import", {{"dir", "laughs"}});
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_NE(r.body.find("nodes"), std::string::npos) << r.body;
  EXPECT_LT(Clock::now() - t0, std::chrono::seconds(2));
  EXPECT_EQ(c.request("POST", "/org/import", laughs, yaml).status, 400);
  EXPECT_EQ(c.request("POST", "/org/import", "name: deep\nworkspaces: " + nested(3000) + "\n", yaml).status, 400);
  EXPECT_EQ(c.request("POST", "/org/import", "name: deep\nworkspaces: " + nested(100) + "\n", yaml).status, 400);
  EXPECT_EQ(c.request("POST", "/org/import", "name: inc\nworkspaces:\n  - !include /etc/passwd\n", yaml).status, 400);
  EXPECT_EQ(c.get("/workspaces").json().size(), 0u) << "nothing was imported";
  EXPECT_EQ(c.get("/health").status, 200);
}

// A second server on the same database, or on the same port, refuses to start and says why.
TEST(AttacksOnDeployment, OneServerPerDatabaseAndPort) {
  ServerProcess first({}, {{"ADMIN_TOKEN", kAdmin}});
  try {
    ServerProcess second({"--db", first.dbPath()}, {{"ADMIN_TOKEN", kAdmin}});
    ADD_FAILURE() << "a second server started on the same database";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("is in use by workspace-server pid"), std::string::npos) << e.what();
  }
  try {
    ServerProcess third({"--port", std::to_string(first.port())}, {{"ADMIN_TOKEN", kAdmin}});
    ADD_FAILURE() << "a second server started on the same port";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("cannot listen"), std::string::npos) << e.what();
  }
  EXPECT_EQ(first.client().get("/health").status, 200);
}

// A control plane that accepts connections and never answers: the calls that wait on it run
// on the worker pool, so /health and other requests are answered at once.
TEST(AttacksOnBackends, AHungBackendDelaysNoOtherRequest) {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor silent(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
  std::vector<boost::asio::ip::tcp::socket> held;
  std::atomic<bool> done{false};
  std::thread holder([&] {
    silent.non_blocking(true);
    while (!done) {
      boost::system::error_code ec;
      auto s = silent.accept(ec);
      if (!ec) held.push_back(std::move(s));
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  });
  {
    ServerProcess server({"--backend", "controlplane", "--org-id", "acme", "--cp-url",
                          "http://127.0.0.1:" + std::to_string(silent.local_endpoint().port()), "--cp-shared-secret", "s",
                          "--cp-timeout", "6", "--cp-status-timeout", "6"},
                         {{"ADMIN_TOKEN", kAdmin}});
    auto c = server.client(kAdmin);
    const std::string id = c.post("/workspaces", {{"name", "stuck"}}).json()["id"];
    std::vector<std::thread> callers;
    for (int i = 0; i < 12; ++i)
      callers.emplace_back([&, i] {
        auto own = server.client(kAdmin);
        (void)own.get("/workspaces/" + id + (i % 2 ? "/files" : "/boot-log"));
      });
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    for (int i = 0; i < 20; ++i) {
      const auto t0 = Clock::now();
      EXPECT_EQ(c.get("/health").status, 200);
      EXPECT_EQ(c.get("/workspaces/" + id).status, 200);
      EXPECT_LT(Clock::now() - t0, std::chrono::milliseconds(500)) << "an I/O thread waited on the hung backend";
    }
    for (auto& t : callers) t.join();
  }
  done = true;
  holder.join();
}

// A client that opens a connection and then sends nothing, or half a request, or will not read
// its answer, holds no connection past --io-timeout; the server goes on answering others.
TEST(AttacksOnConnections, SlowClientsAreDroppedAfterTheIoTimeout) {
  ServerProcess server({"--io-timeout", "1"}, {{"ADMIN_TOKEN", kAdmin}});
  boost::asio::io_context io;
  const boost::asio::ip::tcp::endpoint at(boost::asio::ip::make_address("127.0.0.1"), server.port());
  for (const std::string& sent : {std::string(), std::string("GET /health HTTP/1.1\r\nHost: x\r\n")}) {
    boost::asio::ip::tcp::socket slow(io);
    slow.connect(at);
    if (!sent.empty()) boost::asio::write(slow, boost::asio::buffer(sent));
    const auto t0 = Clock::now();
    char byte;
    boost::system::error_code ec;
    slow.read_some(boost::asio::buffer(&byte, 1), ec);  // returns when the server closes
    const auto waited = Clock::now() - t0;
    EXPECT_EQ(ec, boost::asio::error::eof) << "sent: " << sent.size() << " bytes";
    EXPECT_GT(waited, std::chrono::milliseconds(800));
    EXPECT_LT(waited, std::chrono::seconds(3)) << "held past the timeout";
  }
  EXPECT_EQ(server.client(kAdmin).get("/health").status, 200);
}

}  // namespace
}  // namespace ws::test
