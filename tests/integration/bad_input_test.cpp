// Hostile and malformed input gets a clear error with the right status and changes nothing.

#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include "support/server_process.h"

namespace ws::test {
namespace {

using nlohmann::json;

const std::string kAdmin = "bad-input-admin-token";

class BadInput : public ::testing::Test {
 protected:
  ServerProcess server_{{"--workspace-dir-root", "/srv/agents"}, {{"ADMIN_TOKEN", kAdmin}}};
  HttpClient c_ = server_.client(kAdmin);
  std::string id_ = c_.post("/workspaces", {{"name", "steady"}}).json()["id"];

  // Everything observable that a bad request could have changed.
  std::string snapshot() { return c_.get("/workspaces").body + c_.get("/events?limit=1000").body; }

  void expectRejected(const std::string& method, const std::string& path, const std::string& body, int status) {
    const std::string before = snapshot();
    auto r = c_.request(method, path, body);
    EXPECT_EQ(r.status, status) << method << " " << path << " " << body.substr(0, 80) << ": " << r.body;
    EXPECT_TRUE(r.json().contains("error")) << r.body;
    EXPECT_EQ(snapshot(), before) << method << " " << path << " changed state";
  }
};

TEST_F(BadInput, CreateRejectsInvalidFields) {
  expectRejected("POST", "/workspaces", "{not json", 400);
  expectRejected("POST", "/workspaces", "[1,2]", 400);
  expectRejected("POST", "/workspaces", R"({"name": 42})", 400);
  expectRejected("POST", "/workspaces", R"({"role": "no name"})", 400);
  expectRejected("POST", "/workspaces", R"({"name": "two\nlines"})", 400);
  expectRejected("POST", "/workspaces", R"({"name": "bad {template}"})", 400);
  expectRejected("POST", "/workspaces", R"({"name": "ok", "role": "a | b"})", 400);
  expectRejected("POST", "/workspaces", R"({"name": ")" + std::string(256, 'x') + R"("})", 400);
  expectRejected("POST", "/workspaces", R"({"name": "ok", "model": ")" + std::string(101, 'm') + R"("})", 400);
  expectRejected("POST", "/workspaces", R"({"name": "ok", "tier": 9})", 400);
  expectRejected("POST", "/workspaces", R"({"name": "ok", "tier": "high"})", 400);
  expectRejected("POST", "/workspaces", R"({"name": "ok", "workspace_dir": "relative/path"})", 400);
  expectRejected("POST", "/workspaces", R"({"name": "ok", "workspace_dir": "/home/../etc"})", 400);
  expectRejected("POST", "/workspaces", R"({"name": "ok", "workspace_dir": "/etc/agents"})", 400);
  expectRejected("POST", "/workspaces", R"({"name": "ok", "workspace_access": "everything"})", 400);
  expectRejected("POST", "/workspaces", R"({"name": "ok", "workspace_access": "read_only"})", 400);
  expectRejected("POST", "/workspaces", R"({"name": "ok", "parent_id": "not-a-uuid"})", 400);
  expectRejected("POST", "/workspaces", R"({"name": "ok", "parent_id": "7c1d7d1e-0f7e-4a57-9a0b-3f8a1b2c3d4e"})", 400);
  expectRejected("POST", "/workspaces", R"({"name": "ok", "external": true, "url": "file:///etc/passwd"})", 400);
  expectRejected("POST", "/workspaces", R"({"name": "ok", "external": true, "url": "http://169.254.169.254/latest"})", 400);
  expectRejected("POST", "/workspaces", R"({"name": "ok", "external": true, "url": "http://127.0.0.1:8080"})", 400);
  expectRejected("POST", "/workspaces", R"({"name": "ok", "external": true, "url": "http://10.0.0.5"})", 400);
  expectRejected("POST", "/workspaces", R"({"name": "ok", "external": true, "url": "http://[::1]:80"})", 400);
}

TEST_F(BadInput, IdsAndRoutes) {
  expectRejected("GET", "/workspaces/not-a-uuid", "", 400);
  expectRejected("GET", "/workspaces/7c1d7d1e-0f7e-4a57-9a0b-3f8a1b2c3d4e", "", 404);
  expectRejected("DELETE", "/workspaces/7c1d7d1e-0f7e-4a57-9a0b-3f8a1b2c3d4e", "", 404);
  expectRejected("DELETE", "/workspaces/..%2F..%2Fetc", "", 400);
  expectRejected("PATCH", "/workspaces/7c1d7d1e-0f7e-4a57-9a0b-3f8a1b2c3d4e", R"({"name":"x"})", 404);
  expectRejected("GET", "/events/not-a-uuid", "", 400);
  expectRejected("GET", "/nowhere", "", 404);
  expectRejected("PUT", "/workspaces", "", 405);
  expectRejected("DELETE", "/workspaces/" + id_ + "/tokens/not-a-uuid", "", 400);
}

TEST_F(BadInput, PatchRejectsInvalidFieldsAndCycles) {
  const std::string child = c_.post("/workspaces", {{"name", "child"}, {"parent_id", id_}}).json()["id"];
  expectRejected("PATCH", "/workspaces/" + id_, R"({"name": ""})", 400);
  expectRejected("PATCH", "/workspaces/" + id_, R"({"tier": 0})", 400);
  expectRejected("PATCH", "/workspaces/" + id_, R"({"collapsed": "yes"})", 400);
  expectRejected("PATCH", "/workspaces/" + id_, R"({"parent_id": ")" + id_ + R"("})", 400);
  expectRejected("PATCH", "/workspaces/" + id_, R"({"parent_id": ")" + child + R"("})", 400);
  expectRejected("PATCH", "/workspaces/" + id_, R"({"x": 5})", 400);
  expectRejected("PATCH", "/workspaces/" + id_, R"({"workspace_dir": "/proc/self"})", 400);
}

TEST_F(BadInput, RegistryRejectsBadPayloads) {
  expectRejected("POST", "/registry/register", R"({"id": ")" + id_ + R"("})", 400);
  expectRejected("POST", "/registry/register", R"({"id": "x", "url": "http://localhost:1", "agent_card": {}})", 400);
  expectRejected("POST", "/registry/register",
                 R"({"id": ")" + id_ + R"(", "url": "gopher://localhost", "agent_card": {}})", 400);
  expectRejected("POST", "/registry/register",
                 R"({"id": ")" + id_ + R"(", "url": "http://192.0.2.1", "agent_card": {}})", 400);
  expectRejected("POST", "/registry/register",
                 R"({"id": ")" + id_ + R"(", "url": "http://localhost:1", "agent_card": "card"})", 400);
  expectRejected("POST", "/registry/heartbeat", R"({"workspace_id": ")" + id_ + R"(", "error_rate": 7})", 400);
  expectRejected("POST", "/registry/heartbeat", R"({"workspace_id": ")" + id_ + R"(", "active_tasks": "many"})", 400);
  expectRejected("POST", "/registry/heartbeat", R"({"workspace_id": ")" + id_ + R"(", "runtime_state": "melted"})", 400);
  expectRejected("POST", "/registry/heartbeat", R"({"error_rate": 0})", 400);
  expectRejected("POST", "/registry/check-access", R"({"caller_id": "a"})", 400);
}

TEST_F(BadInput, OversizedBodyIs413) {
  expectRejected("POST", "/workspaces", R"({"name": ")" + std::string(2 << 20, 'a') + R"("})", 413);
}

TEST_F(BadInput, BadTokensAre401) {
  auto anon = server_.client();
  for (const char* header : {"Bearer", "Bearer ", "Basic abc", "bearer lowercase"}) {
    auto r = anon.request("GET", "/workspaces", "", {{"Authorization", header}});
    EXPECT_EQ(r.status, 401) << header;
  }
}

TEST_F(BadInput, GarbageOnTheWireGetsNoCrash) {
  namespace net = boost::asio;
  net::io_context io;
  net::ip::tcp::socket s(io);
  s.connect({net::ip::make_address("127.0.0.1"), server_.port()});
  net::write(s, net::buffer(std::string("\x16\x03\x01 not http at all\r\n\r\n")));
  boost::system::error_code ec;
  std::string sink(1024, '\0');
  s.read_some(net::buffer(sink), ec);  // the server closes the connection
  EXPECT_EQ(c_.get("/health").status, 200);
}

}  // namespace
}  // namespace ws::test
