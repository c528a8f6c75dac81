// Request-level tests of the control-plane backend against a scripted control plane on
// 127.0.0.1: what each verb sends (method, target, headers, body) and how each answer, or the
// lack of one, becomes an Errc (docs/control-plane-api.md). The emulator-backed behaviour is
// covered by the contract suite and tests/integration.

#include "backends/controlplane/controlplane_provisioner.h"

#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include <deque>
#include <map>
#include <mutex>
#include <thread>
#include "support/loopback.h"

namespace ws::controlplane {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using nlohmann::json;
using namespace std::chrono_literals;
using namespace std::string_literals;
using HttpRequest = http::request<http::string_body>;
constexpr auto kTuple = net::as_tuple(net::use_awaitable);

const std::string kId = "0123456789ab-cdef-0123-4567-89abcdef0123";
const std::string kInstance = "i-0123456789abcdef0";

// What the fake control plane does with one request.
struct Reply {
  enum class Mode { answer, drop, hang, echo_terminal };
  int status = 200;
  std::string body = "{}";
  Mode mode = Mode::answer;

  static Reply json(int status, const nlohmann::json& body) { return {status, body.dump()}; }
  static Reply raw(int status, std::string body) { return {status, std::move(body)}; }
  static Reply with(Mode mode) { return {0, "", mode}; }
};

// `inner` wrapped in `levels` arrays: deeper than the JSON reader's limit of 64.
std::string nested(std::size_t levels, const std::string& inner = "1") {
  return std::string(levels, '[') + inner + std::string(levels, ']');
}

// A scripted control plane on an ephemeral loopback port. Each request gets the next queued
// reply (200 {} when none is queued) and is kept for the test to inspect. One connection per
// request, as the client makes them.
class FakeControlPlane {
 public:
  FakeControlPlane() : acceptor_(io_, {net::ip::make_address("127.0.0.1"), 0}) {
    net::co_spawn(io_, accept(), net::detached);
    thread_ = std::thread([this] { io_.run(); });
  }
  ~FakeControlPlane() {
    io_.stop();
    thread_.join();
  }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port()); }
  void queue(Reply r) {
    std::lock_guard lock(mutex_);
    replies_.push_back(std::move(r));
  }
  std::vector<HttpRequest> requests() const {
    std::lock_guard lock(mutex_);
    return seen_;
  }
  /// The one request the call under test made.
  HttpRequest only() const {
    auto all = requests();
    EXPECT_EQ(all.size(), 1u);
    return all.empty() ? HttpRequest{} : all.back();
  }

 private:
  Reply take(const HttpRequest& req) {
    std::lock_guard lock(mutex_);
    seen_.push_back(req);
    if (replies_.empty()) return Reply{};
    Reply r = std::move(replies_.front());
    replies_.pop_front();
    return r;
  }

  net::awaitable<void> accept() {
    for (;;) {
      auto [ec, socket] = co_await acceptor_.async_accept(kTuple);
      if (ec) co_return;
      net::co_spawn(io_, session(beast::tcp_stream(std::move(socket))), net::detached);
    }
  }

  net::awaitable<void> session(beast::tcp_stream stream) {
    beast::flat_buffer buffer;
    HttpRequest req;
    auto [rec, rn] = co_await http::async_read(stream, buffer, req, kTuple);
    if (rec) co_return;
    const Reply reply = take(req);
    switch (reply.mode) {
      case Reply::Mode::drop: co_return;  // closes without an answer
      case Reply::Mode::hang: {           // holds the connection until the client gives up
        char byte;
        co_await stream.socket().async_read_some(net::buffer(&byte, 1), kTuple);
        co_return;
      }
      case Reply::Mode::echo_terminal:
        co_await echo(std::move(stream), req);
        co_return;
      case Reply::Mode::answer: break;
    }
    http::response<http::string_body> res{static_cast<http::status>(reply.status), req.version()};
    res.set(http::field::content_type, "application/json");
    res.keep_alive(false);
    res.body() = reply.body;
    res.prepare_payload();
    co_await http::async_write(stream, res, kTuple);
  }

  // A terminal that sends back every frame it receives.
  static net::awaitable<void> echo(beast::tcp_stream stream, const HttpRequest& req) {
    websocket::stream<beast::tcp_stream> socket(std::move(stream));
    if (auto [ec] = co_await socket.async_accept(req, kTuple); ec) co_return;
    for (;;) {
      beast::flat_buffer frame;
      if (auto [ec, n] = co_await socket.async_read(frame, kTuple); ec) co_return;
      socket.binary(true);
      if (auto [ec, n] = co_await socket.async_write(frame.data(), kTuple); ec) co_return;
    }
  }

  net::io_context io_;
  net::ip::tcp::acceptor acceptor_;
  mutable std::mutex mutex_;
  std::deque<Reply> replies_;
  std::vector<HttpRequest> seen_;
  std::thread thread_;
};

std::string header(const HttpRequest& req, std::string_view name) { return std::string(req[name]); }

class ControlPlaneProvisionerTest : public ::testing::Test {
 protected:
  ControlPlaneConfig config(const std::string& url) const {
    ControlPlaneConfig c;
    c.base_url = url;
    c.org_id = "org-1";
    c.shared_secret = "shared-secret";
    c.admin_token = "admin-token";
    c.admin_api_token = "admin-api-token";
    c.timeout = 5s;
    c.status_timeout = 5s;
    return c;
  }
  ControlPlaneConfig config() const { return config(cp_.url()); }

  // The workspace -> instance rows of the database, or the storage failure to answer with.
  InstanceLookup lookup() {
    return [this](const std::string& id) -> Result<std::string> {
      if (lookup_error_) return *lookup_error_;
      auto it = instances_.find(id);
      return it == instances_.end() ? std::string() : it->second;
    };
  }
  ControlPlaneProvisioner provisioner(const ControlPlaneConfig& c) { return ControlPlaneProvisioner(c, lookup()); }
  ControlPlaneProvisioner provisioner() { return provisioner(config()); }

  static WorkspaceConfig workspace() {
    WorkspaceConfig c;
    c.workspace_id = kId;
    c.runtime = "langgraph";
    c.tier = 2;
    c.platform_url = "http://127.0.0.1:8080";
    c.env = {{"API_KEY", "k"}};
    c.config_files = {{"config.yaml", "name: w\n"}, {".auth_token", "tok"}};
    return c;
  }

  FakeControlPlane cp_;
  std::map<std::string, std::string> instances_{{kId, kInstance}};
  std::optional<Error> lookup_error_;
};

std::string instanceTarget(const std::string& suffix) {
  return "/cp/workspaces/" + kId + suffix + "?instance_id=" + kInstance;
}

// --- start ---------------------------------------------------------------------------------

TEST_F(ControlPlaneProvisionerTest, StartPostsTheProvisionRequestWithBothCredentials) {
  cp_.queue(Reply::json(201, {{"instance_id", kInstance}, {"private_ip", "10.0.0.7"}, {"state", "pending"}}));
  auto started = provisioner().start(workspace());
  ASSERT_TRUE(started) << started.error().message;
  EXPECT_EQ(started->instance_id, kInstance);
  EXPECT_EQ(started->url, "http://10.0.0.7:8000");

  const auto req = cp_.only();
  EXPECT_EQ(req.method(), http::verb::post);
  EXPECT_EQ(req.target(), "/cp/workspaces/provision");
  EXPECT_EQ(header(req, "Authorization"), "Bearer shared-secret") << "the shared secret, not the admin key";
  EXPECT_EQ(header(req, "X-Molecule-Admin-Token"), "admin-token");
  EXPECT_EQ(header(req, "Content-Type"), "application/json");
  const auto body = json::parse(req.body());
  EXPECT_EQ(body["org_id"], "org-1");
  EXPECT_EQ(body["workspace_id"], kId);
  EXPECT_EQ(body["runtime"], "langgraph");
  EXPECT_EQ(body["tier"], 2);
  EXPECT_EQ(body["platform_url"], "http://127.0.0.1:8080");
  EXPECT_EQ(body["env"], json({{"API_KEY", "k"}}));
  EXPECT_EQ(body["config_files"], json({{"config.yaml", "name: w\n"}, {".auth_token", "tok"}}))
      << "config injection is synchronous: the files travel with the provision request";
}

TEST_F(ControlPlaneProvisionerTest, TheBaseUrlPathPrefixesEveryTarget) {
  cp_.queue(Reply::json(201, {{"instance_id", kInstance}}));
  auto p = provisioner(config(cp_.url() + "/tenant/cp-api//"));
  ASSERT_TRUE(p.start(workspace()));
  ASSERT_TRUE(p.stop(kId));
  const auto reqs = cp_.requests();
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(reqs[0].target(), "/tenant/cp-api/cp/workspaces/provision");
  EXPECT_EQ(reqs[1].target(), "/tenant/cp-api" + instanceTarget(""));
}

TEST_F(ControlPlaneProvisionerTest, EmptyCredentialsAreOmittedNotSentBlank) {
  auto c = config();
  c.shared_secret.clear();
  c.admin_token.clear();
  c.admin_api_token.clear();
  cp_.queue(Reply::json(201, {{"instance_id", kInstance}}));
  ASSERT_TRUE(provisioner(c).start(workspace()));
  const auto req = cp_.only();
  EXPECT_EQ(req.count(http::field::authorization), 0u);
  EXPECT_EQ(req.count("X-Molecule-Admin-Token"), 0u);
}

TEST_F(ControlPlaneProvisionerTest, StartWithoutAPrivateIpLeavesTheUrlUnknown) {
  cp_.queue(Reply::json(201, {{"instance_id", kInstance}, {"private_ip", ""}}));
  auto started = provisioner().start(workspace());
  ASSERT_TRUE(started);
  EXPECT_EQ(started->instance_id, kInstance);
  EXPECT_EQ(started->url, "");
}

TEST_F(ControlPlaneProvisionerTest, StartNeedsA201WithAnInstanceId) {
  const std::vector<Reply> bad = {
      Reply::json(200, {{"instance_id", kInstance}}),  // the API answers exactly 201
      Reply::json(201, json::object()),
      Reply::json(201, {{"instance_id", 7}}),
      Reply::raw(201, "{\"instance_id\": \"i-1\""),                             // truncated
      Reply::raw(201, "{\"instance_id\":\"i-1\",\"x\":" + nested(100) + "}"),  // too deep to read
      Reply::json(500, {{"error", "quota exceeded"}}),
  };
  auto p = provisioner();
  for (const auto& reply : bad) {
    cp_.queue(reply);
    auto started = p.start(workspace());
    ASSERT_FALSE(started) << reply.status << " " << reply.body;
    EXPECT_EQ(started.error().code, Errc::backend_error) << reply.body;
  }
}

TEST_F(ControlPlaneProvisionerTest, ErrorsQuoteTheControlPlanesErrorButNeverItsRawBody) {
  auto p = provisioner();
  cp_.queue(Reply::json(503, {{"error", "quota exceeded"}}));
  auto structured = p.start(workspace());
  ASSERT_FALSE(structured);
  EXPECT_EQ(structured.error().message, "provision failed (503): quota exceeded");

  cp_.queue(Reply::raw(500, "<html>token=hunter2</html>"));
  auto unstructured = p.start(workspace());
  ASSERT_FALSE(unstructured);
  EXPECT_EQ(unstructured.error().code, Errc::backend_error);
  EXPECT_EQ(unstructured.error().message.find("hunter2"), std::string::npos) << unstructured.error().message;
  EXPECT_NE(unstructured.error().message.find("(500)"), std::string::npos) << unstructured.error().message;
}

TEST_F(ControlPlaneProvisionerTest, AnAnswerOverTheCapIsABackendError) {
  cp_.queue(Reply::json(201, {{"instance_id", kInstance}, {"pad", std::string(kMaxResponseBytes, 'x')}}));
  auto started = provisioner().start(workspace());
  ASSERT_FALSE(started);
  EXPECT_EQ(started.error().code, Errc::backend_error);
}

// --- stop ----------------------------------------------------------------------------------

TEST_F(ControlPlaneProvisionerTest, StopDeletesTheRecordedInstance) {
  ASSERT_TRUE(provisioner().stop(kId));
  const auto req = cp_.only();
  EXPECT_EQ(req.method(), http::verb::delete_);
  EXPECT_EQ(req.target(), instanceTarget(""));
  EXPECT_EQ(header(req, "Authorization"), "Bearer shared-secret");
  EXPECT_EQ(header(req, "X-Molecule-Admin-Token"), "admin-token");
  EXPECT_EQ(req.body(), "");
}

TEST_F(ControlPlaneProvisionerTest, StopWithoutARecordedInstanceDeletesTheWholeWorkspace) {
  instances_.clear();
  ASSERT_TRUE(provisioner().stop(kId));
  EXPECT_EQ(cp_.only().target(), "/cp/workspaces/" + kId);
}

TEST_F(ControlPlaneProvisionerTest, StopIsIdempotentButReportsFailures) {
  auto p = provisioner();
  cp_.queue(Reply::json(404, {{"error", "no such instance"}}));
  EXPECT_TRUE(p.stop(kId)) << "already gone counts as stopped";
  cp_.queue(Reply::raw(204, ""));
  EXPECT_TRUE(p.stop(kId));
  for (int status : {409, 500, 503}) {
    cp_.queue(Reply::json(status, {{"error", "busy"}}));
    auto stopped = p.stop(kId);
    ASSERT_FALSE(stopped) << status;
    EXPECT_EQ(stopped.error().code, Errc::backend_error) << status;
  }
}

TEST_F(ControlPlaneProvisionerTest, AStorageFailureIsReturnedBeforeAnyCall) {
  lookup_error_ = makeError(Errc::storage_error, "disk I/O error");
  auto p = provisioner();
  EXPECT_EQ(p.stop(kId).error().code, Errc::storage_error);
  EXPECT_EQ(p.exec(kId, {"true"}, "").error().code, Errc::storage_error);
  EXPECT_EQ(p.readArchive(kId, "/").error().code, Errc::storage_error);
  EXPECT_EQ(p.writeArchive(kId, "/", "").error().code, Errc::storage_error);
  EXPECT_EQ(p.openTerminal(kId).error().code, Errc::storage_error);
  const auto alive = p.isRunning(kId);
  EXPECT_TRUE(alive.running) << "uncertain means alive";
  ASSERT_TRUE(alive.error);
  EXPECT_EQ(alive.error->code, Errc::storage_error);
  EXPECT_TRUE(cp_.requests().empty());
}

// --- isRunning -----------------------------------------------------------------------------

TEST_F(ControlPlaneProvisionerTest, IsRunningAsksForTheInstanceState) {
  auto p = provisioner();
  cp_.queue(Reply::json(200, {{"state", "running"}}));
  const auto running = p.isRunning(kId);
  EXPECT_TRUE(running.running);
  EXPECT_FALSE(running.error);
  const auto req = cp_.only();
  EXPECT_EQ(req.method(), http::verb::get);
  EXPECT_EQ(req.target(), instanceTarget("/status"));
  EXPECT_EQ(header(req, "Authorization"), "Bearer shared-secret");

  for (const char* state : {"terminated", "stopped", "shutting-down"}) {
    cp_.queue(Reply::json(200, {{"state", state}}));
    const auto dead = p.isRunning(kId);
    EXPECT_FALSE(dead.running) << state;
    EXPECT_FALSE(dead.error) << state;
  }
  cp_.queue(Reply::json(404, {{"error", "no such instance"}}));
  const auto gone = p.isRunning(kId);
  EXPECT_FALSE(gone.running) << "404 means gone";
  EXPECT_FALSE(gone.error);
}

TEST_F(ControlPlaneProvisionerTest, IsRunningWithoutAnInstanceAsksNothing) {
  instances_.clear();
  const auto alive = provisioner().isRunning(kId);
  EXPECT_FALSE(alive.running);
  EXPECT_FALSE(alive.error);
  EXPECT_TRUE(cp_.requests().empty());
}

// A transient failure must never mark a workspace offline.
TEST_F(ControlPlaneProvisionerTest, AnUncertainStatusIsAliveWithAnError) {
  const std::vector<Reply> uncertain = {
      Reply::json(500, {{"error", "internal"}}),
      Reply::json(401, {{"error", "bad secret"}}),
      Reply::raw(200, "not json"),
      Reply::json(200, {{"state", 1}}),
      Reply::json(200, json::array({"running"})),
      Reply::raw(200, "{\"state\":\"terminated\",\"x\":" + nested(100) + "}"),
  };
  auto p = provisioner();
  for (const auto& reply : uncertain) {
    cp_.queue(reply);
    const auto alive = p.isRunning(kId);
    EXPECT_TRUE(alive.running) << reply.body;
    ASSERT_TRUE(alive.error) << reply.body;
    EXPECT_EQ(alive.error->code, Errc::backend_error) << reply.body;
  }
  cp_.queue(Reply::with(Reply::Mode::drop));
  const auto dropped = p.isRunning(kId);
  EXPECT_TRUE(dropped.running);
  ASSERT_TRUE(dropped.error);
  EXPECT_EQ(dropped.error->code, Errc::backend_unavailable);
}

// --- bootLog -------------------------------------------------------------------------------

TEST_F(ControlPlaneProvisionerTest, BootLogReadsTheConsoleWithTheAdminKey) {
  cp_.queue(Reply::json(200, {{"output", "booting\nready\n"}}));
  auto log = provisioner().bootLog(kId);
  ASSERT_TRUE(log) << log.error().message;
  EXPECT_EQ(*log, "booting\nready\n");
  const auto req = cp_.only();
  EXPECT_EQ(req.method(), http::verb::get);
  EXPECT_EQ(req.target(), "/cp/admin/workspaces/" + kId + "/console");
  EXPECT_EQ(header(req, "Authorization"), "Bearer admin-api-token");
  EXPECT_EQ(header(req, "X-Molecule-Admin-Token"), "admin-token");
}

TEST_F(ControlPlaneProvisionerTest, BootLogFallsBackToTheSharedSecret) {
  auto c = config();
  c.admin_api_token.clear();
  cp_.queue(Reply::json(200, {{"output", ""}}));
  ASSERT_TRUE(provisioner(c).bootLog(kId));
  EXPECT_EQ(header(cp_.only(), "Authorization"), "Bearer shared-secret");
}

TEST_F(ControlPlaneProvisionerTest, BootLogAcceptsConsolesUpToItsOwnCap) {
  auto p = provisioner();
  const std::string big(200 * 1024, 'x');  // over the 64 KiB of other answers, under 256 KiB
  cp_.queue(Reply::json(200, {{"output", big}}));
  auto log = p.bootLog(kId);
  ASSERT_TRUE(log) << log.error().message;
  EXPECT_EQ(log->size(), big.size());
  cp_.queue(Reply::json(200, {{"output", std::string(kMaxConsoleBytes, 'x')}}));
  auto over = p.bootLog(kId);
  ASSERT_FALSE(over);
  EXPECT_EQ(over.error().code, Errc::backend_error);
}

TEST_F(ControlPlaneProvisionerTest, BootLogErrors) {
  const std::vector<std::pair<Reply, Errc>> cases = {
      {Reply::json(404, {{"error", "no instance"}}), Errc::not_found},
      {Reply::json(500, {{"error", "internal"}}), Errc::backend_error},
      {Reply::raw(200, "<html/>"), Errc::backend_error},
      {Reply::json(200, {{"output", 42}}), Errc::backend_error},
      {Reply::raw(200, "{\"output\":\"x\",\"y\":" + nested(100) + "}"), Errc::backend_error},
  };
  auto p = provisioner();
  for (const auto& [reply, code] : cases) {
    cp_.queue(reply);
    auto log = p.bootLog(kId);
    ASSERT_FALSE(log) << reply.body;
    EXPECT_EQ(log.error().code, code) << reply.body;
  }
}

// --- exec ----------------------------------------------------------------------------------

TEST_F(ControlPlaneProvisionerTest, ExecPostsArgvAndStdin) {
  cp_.queue(Reply::json(200, {{"exit_code", 3}, {"output", "out\nerr\n"}}));
  auto done = provisioner().exec(kId, {"sh", "-c", "cat; exit 3"}, "hello");
  ASSERT_TRUE(done) << done.error().message;
  EXPECT_EQ(done->exit_code, 3);
  EXPECT_EQ(done->output, "out\nerr\n");
  const auto req = cp_.only();
  EXPECT_EQ(req.method(), http::verb::post);
  EXPECT_EQ(req.target(), instanceTarget("/exec"));
  EXPECT_EQ(header(req, "Authorization"), "Bearer shared-secret");
  EXPECT_EQ(header(req, "Content-Type"), "application/json");
  EXPECT_EQ(json::parse(req.body()), json({{"argv", {"sh", "-c", "cat; exit 3"}}, {"stdin", "hello"}}));
}

TEST_F(ControlPlaneProvisionerTest, ExecNeedsACommand) {
  auto done = provisioner().exec(kId, {}, "");
  ASSERT_FALSE(done);
  EXPECT_EQ(done.error().code, Errc::invalid_argument);
  EXPECT_TRUE(cp_.requests().empty());
}

TEST_F(ControlPlaneProvisionerTest, ExecErrors) {
  const std::vector<std::pair<Reply, Errc>> cases = {
      {Reply::json(404, {{"error", "no instance"}}), Errc::not_found},
      {Reply::json(500, {{"error", "internal"}}), Errc::backend_error},
      {Reply::json(201, {{"exit_code", 0}}), Errc::backend_error},  // exec answers exactly 200
      {Reply::json(200, {{"output", "no exit code"}}), Errc::backend_error},
      {Reply::json(200, {{"exit_code", "0"}, {"output", ""}}), Errc::backend_error},
      {Reply::json(200, {{"exit_code", 0}, {"output", 5}}), Errc::backend_error},
      {Reply::raw(200, "{\"exit_code\":0,\"x\":" + nested(100) + "}"), Errc::backend_error},
  };
  auto p = provisioner();
  for (const auto& [reply, code] : cases) {
    cp_.queue(reply);
    auto done = p.exec(kId, {"true"}, "");
    ASSERT_FALSE(done) << reply.body;
    EXPECT_EQ(done.error().code, code) << reply.body;
  }
}

// --- archives ------------------------------------------------------------------------------

TEST_F(ControlPlaneProvisionerTest, ReadArchiveReturnsTheTarBytesOfAPath) {
  const std::string tar = "name\0\0\0\x01\xff tar bytes"s;
  cp_.queue(Reply::raw(200, tar));
  auto read = provisioner().readArchive(kId, "/workspace/a b&c");
  ASSERT_TRUE(read) << read.error().message;
  EXPECT_EQ(*read, tar);
  const auto req = cp_.only();
  EXPECT_EQ(req.method(), http::verb::get);
  EXPECT_EQ(req.target(), instanceTarget("/archive") + "&path=%2Fworkspace%2Fa%20b%26c");
  EXPECT_EQ(header(req, "Authorization"), "Bearer shared-secret");
}

TEST_F(ControlPlaneProvisionerTest, WriteArchivePutsTheTar) {
  const std::string tar = "file\0\0\0\x02 tar"s;
  cp_.queue(Reply::json(200, json::object()));
  auto written = provisioner().writeArchive(kId, "/configs/plugins", tar);
  ASSERT_TRUE(written) << written.error().message;
  const auto req = cp_.only();
  EXPECT_EQ(req.method(), http::verb::put);
  EXPECT_EQ(req.target(), instanceTarget("/archive") + "&path=%2Fconfigs%2Fplugins");
  EXPECT_EQ(header(req, "Content-Type"), "application/x-tar");
  EXPECT_EQ(header(req, "Authorization"), "Bearer shared-secret");
  EXPECT_EQ(req.body(), tar);
}

TEST_F(ControlPlaneProvisionerTest, ArchiveErrors) {
  auto p = provisioner();
  const std::vector<std::pair<Reply, Errc>> cases = {
      {Reply::json(404, {{"error", "no such path"}}), Errc::not_found},
      {Reply::json(500, {{"error", "internal"}}), Errc::backend_error},
      {Reply::json(403, {{"error", "path leaves the instance"}}), Errc::backend_error},
  };
  for (const auto& [reply, code] : cases) {
    cp_.queue(reply);
    auto read = p.readArchive(kId, "/x");
    ASSERT_FALSE(read) << reply.body;
    EXPECT_EQ(read.error().code, code) << reply.body;
    cp_.queue(reply);
    auto written = p.writeArchive(kId, "/x", "tar");
    ASSERT_FALSE(written) << reply.body;
    EXPECT_EQ(written.error().code, code) << reply.body;
  }
  cp_.queue(Reply::json(201, json::object()));
  auto read = p.readArchive(kId, "/x");
  ASSERT_FALSE(read) << "a read answers exactly 200 with the tar";
  EXPECT_EQ(read.error().code, Errc::backend_error);
}

// --- listManaged, removeVolumes --------------------------------------------------------------

TEST_F(ControlPlaneProvisionerTest, ListManagedNamesTheOrgsLiveInstances) {
  cp_.queue(Reply::json(200, {{"instances",
                               {{{"workspace_id", "a"}, {"state", "running"}},
                                {{"workspace_id", "b"}, {"state", "terminated"}},
                                {{"workspace_id", "c"}, {"state", "pending"}},
                                {{"workspace_id", "d"}, {"state", "shutting-down"}}}}}));
  auto c = config();
  c.org_id = "org 1/x";
  auto listed = provisioner(c).listManaged();
  ASSERT_TRUE(listed) << listed.error().message;
  EXPECT_EQ(*listed, (std::vector<std::string>{"a", "c", "d"})) << "every instance not yet terminated";
  const auto req = cp_.only();
  EXPECT_EQ(req.method(), http::verb::get);
  EXPECT_EQ(req.target(), "/cp/workspaces?org_id=org%201%2Fx");
  EXPECT_EQ(header(req, "Authorization"), "Bearer shared-secret");
}

TEST_F(ControlPlaneProvisionerTest, ListManagedErrors) {
  const std::vector<Reply> bad = {
      Reply::json(500, {{"error", "internal"}}),
      Reply::json(200, {{"instances", json::object()}}),
      Reply::json(200, json::array()),
      Reply::raw(200, "{\"instances\":" + nested(100) + "}"),
      Reply::json(200, {{"instances", {{{"workspace_id", 5}, {"state", "running"}}}}}),
      Reply::json(200, {{"instances", {{{"workspace_id", "a"}, {"state", nullptr}}}}}),
      Reply::json(200, {{"instances", {{{"state", "running"}}}}}),  // no id: it would prefix-match everything
      Reply::json(200, {{"instances", {{{"workspace_id", ""}, {"state", "running"}}}}}),
      Reply::json(200, {{"instances", {"a"}}}),
  };
  auto p = provisioner();
  for (const auto& reply : bad) {
    cp_.queue(reply);
    auto listed = p.listManaged();
    ASSERT_FALSE(listed) << reply.body;
    EXPECT_EQ(listed.error().code, Errc::backend_error) << reply.body;
  }
}

TEST_F(ControlPlaneProvisionerTest, RemoveVolumesHasNothingToRemove) {
  EXPECT_TRUE(provisioner().removeVolumes(kId));
  EXPECT_TRUE(cp_.requests().empty());
}

// --- terminal ------------------------------------------------------------------------------

TEST_F(ControlPlaneProvisionerTest, OpenTerminalUpgradesWithTheProvisionHeaders) {
  cp_.queue(Reply::with(Reply::Mode::echo_terminal));
  auto term = provisioner().openTerminal(kId);
  ASSERT_TRUE(term) << term.error().message;
  ASSERT_TRUE((*term)->write("echo hi\n"));
  auto out = (*term)->read();
  ASSERT_TRUE(out);
  EXPECT_EQ(*out, "echo hi\n");
  (*term)->close();
  const auto req = cp_.only();
  EXPECT_EQ(req.method(), http::verb::get);
  EXPECT_EQ(req.target(), instanceTarget("/terminal"));
  EXPECT_EQ(header(req, "Authorization"), "Bearer shared-secret");
  EXPECT_EQ(header(req, "X-Molecule-Admin-Token"), "admin-token");
  EXPECT_TRUE(websocket::is_upgrade(req));
}

TEST_F(ControlPlaneProvisionerTest, OpenTerminalErrors) {
  auto p = provisioner();
  cp_.queue(Reply::json(404, {{"error", "no instance"}}));
  EXPECT_EQ(p.openTerminal(kId).error().code, Errc::not_found);
  cp_.queue(Reply::json(500, {{"error", "internal"}}));
  EXPECT_EQ(p.openTerminal(kId).error().code, Errc::backend_error);
  EXPECT_EQ(cp_.requests().size(), 2u);

  instances_.clear();
  EXPECT_EQ(p.openTerminal(kId).error().code, Errc::not_found) << "no instance: nothing to open";
  EXPECT_EQ(cp_.requests().size(), 2u) << "and nothing asked";
}

// --- transport -----------------------------------------------------------------------------

TEST_F(ControlPlaneProvisionerTest, EncodesIdsAndInstancesInTargets) {
  const std::string odd = "w 1/../x?y";
  instances_[odd] = "i-1&path=/etc";
  ASSERT_TRUE(provisioner().stop(odd));
  EXPECT_EQ(cp_.only().target(), "/cp/workspaces/w%201%2F..%2Fx%3Fy?instance_id=i-1%26path%3D%2Fetc");
}

TEST_F(ControlPlaneProvisionerTest, AnUnreachableControlPlaneIsBackendUnavailable) {
  auto p = provisioner(config(ws::test::refusedUrl()));
  EXPECT_EQ(p.start(workspace()).error().code, Errc::backend_unavailable);
  EXPECT_EQ(p.stop(kId).error().code, Errc::backend_unavailable);
  EXPECT_EQ(p.bootLog(kId).error().code, Errc::backend_unavailable);
  EXPECT_EQ(p.exec(kId, {"true"}, "").error().code, Errc::backend_unavailable);
  EXPECT_EQ(p.readArchive(kId, "/").error().code, Errc::backend_unavailable);
  EXPECT_EQ(p.writeArchive(kId, "/", "").error().code, Errc::backend_unavailable);
  EXPECT_EQ(p.openTerminal(kId).error().code, Errc::backend_unavailable);
  EXPECT_EQ(p.listManaged().error().code, Errc::backend_unavailable);
  const auto alive = p.isRunning(kId);
  EXPECT_TRUE(alive.running) << "uncertain means alive";
  ASSERT_TRUE(alive.error);
  EXPECT_EQ(alive.error->code, Errc::backend_unavailable);
}

TEST_F(ControlPlaneProvisionerTest, ADroppedConnectionIsBackendUnavailable) {
  cp_.queue(Reply::with(Reply::Mode::drop));
  auto started = provisioner().start(workspace());
  ASSERT_FALSE(started);
  EXPECT_EQ(started.error().code, Errc::backend_unavailable);
}

// Each verb waits for its own timeout: status and console for the short one.
TEST_F(ControlPlaneProvisionerTest, ASilentControlPlaneTimesOut) {
  auto c = config();
  c.timeout = 1s;
  c.status_timeout = 100ms;
  auto p = provisioner(c);
  const auto timed = [&](auto&& call) {
    cp_.queue(Reply::with(Reply::Mode::hang));
    const auto t0 = std::chrono::steady_clock::now();
    auto code = call();
    const auto took = std::chrono::steady_clock::now() - t0;
    EXPECT_LT(took, 3s);
    return std::pair{code, took};
  };
  auto [start_code, start_took] = timed([&] { return p.start(workspace()).error().code; });
  EXPECT_EQ(start_code, Errc::timeout);
  EXPECT_GE(start_took, 1s);
  auto [status_code, status_took] = timed([&] {
    const auto alive = p.isRunning(kId);
    EXPECT_TRUE(alive.running) << "uncertain means alive";
    return alive.error ? alive.error->code : Errc::internal;
  });
  EXPECT_EQ(status_code, Errc::timeout);
  EXPECT_LT(status_took, 800ms) << "status uses the status timeout";
  auto [log_code, log_took] = timed([&] { return p.bootLog(kId).error().code; });
  EXPECT_EQ(log_code, Errc::timeout);
  EXPECT_LT(log_took, 800ms) << "the console uses the status timeout";
}

TEST_F(ControlPlaneProvisionerTest, AnUnwiredClientIsBackendUnavailableEverywhere) {
  for (const std::string url : {"", "https://cp.example:443", "cp.example:9090"}) {
    auto p = provisioner(config(url));
    EXPECT_EQ(p.start(workspace()).error().code, Errc::backend_unavailable) << url;
    EXPECT_EQ(p.stop(kId).error().code, Errc::backend_unavailable) << url;
    const auto alive = p.isRunning(kId);
    EXPECT_TRUE(alive.running) << url;
    ASSERT_TRUE(alive.error) << url;
    EXPECT_EQ(alive.error->code, Errc::backend_unavailable) << url;
    EXPECT_EQ(p.bootLog(kId).error().code, Errc::backend_unavailable) << url;
    EXPECT_EQ(p.exec(kId, {"true"}, "").error().code, Errc::backend_unavailable) << url;
    EXPECT_EQ(p.readArchive(kId, "/").error().code, Errc::backend_unavailable) << url;
    EXPECT_EQ(p.writeArchive(kId, "/", "").error().code, Errc::backend_unavailable) << url;
    EXPECT_EQ(p.openTerminal(kId).error().code, Errc::backend_unavailable) << url;
    EXPECT_EQ(p.listManaged().error().code, Errc::backend_unavailable) << url;
    EXPECT_EQ(p.removeVolumes(kId).error().code, Errc::backend_unavailable) << url;
  }
  EXPECT_TRUE(cp_.requests().empty());
}

}  // namespace
}  // namespace ws::controlplane
