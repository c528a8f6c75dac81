#include "server_process.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>

#include "resource_journal.h"
#include "pg_test_db.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

extern char** environ;

namespace ws::test {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

namespace {

// Runs one asynchronous operation on `io` with a deadline on `stream`. (Blocking reads of Asio
// ignore SO_RCVTIMEO: after EAGAIN they poll without a limit.)
template <class Start>
beast::error_code within(net::io_context& io, beast::tcp_stream& stream, std::chrono::milliseconds limit, Start start) {
  beast::error_code result = beast::error::timeout;
  stream.expires_after(limit);
  start([&result](beast::error_code ec, auto&&...) { result = ec; });
  io.restart();
  io.run();
  return result;
}

constexpr std::chrono::milliseconds kRequestDeadline{60000};  // a hung server fails the test

}  // namespace

nlohmann::json HttpResult::json() const {
  auto j = nlohmann::json::parse(body, nullptr, false);
  return j.is_discarded() ? nlohmann::json() : j;
}

struct HttpClient::Impl {
  net::io_context io;
  beast::tcp_stream stream{io};
  unsigned short port;
  std::string default_bearer;
  bool connected = false;

  void connect() {
    stream.expires_after(kRequestDeadline);
    stream.connect(net::ip::tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
    connected = true;
  }
};

HttpClient::HttpClient(unsigned short port, std::string default_bearer) : impl_(std::make_unique<Impl>()) {
  impl_->port = port;
  impl_->default_bearer = std::move(default_bearer);
}
HttpClient::~HttpClient() = default;

HttpResult HttpClient::request(const std::string& method, const std::string& target, const std::string& body,
                               const std::map<std::string, std::string>& headers) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (!impl_->connected) impl_->connect();
    http::request<http::string_body> req{http::string_to_verb(method), target, 11};
    req.set(http::field::host, "127.0.0.1");
    for (const auto& [k, v] : headers) req.set(k, v);
    if (!headers.count("Authorization") && !impl_->default_bearer.empty())
      req.set(http::field::authorization, "Bearer " + impl_->default_bearer);
    if (!body.empty() && !headers.count("Content-Type")) req.set(http::field::content_type, "application/json");
    req.body() = body;
    req.prepare_payload();
    req.keep_alive(true);
    // A deadline on every write and read: a hung server fails the test instead of stalling it.
    auto& d = *impl_;
    beast::error_code ec = within(d.io, d.stream, kRequestDeadline, [&](auto done) { http::async_write(d.stream, req, done); });
    // Even when the write failed (the server may answer early, e.g. 413, and close), the
    // response can already be waiting.
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 * 1024 * 1024);
    ec = within(d.io, d.stream, kRequestDeadline, [&](auto done) { http::async_read(d.stream, buffer, parser, done); });
    if (ec == beast::error::timeout) throw std::runtime_error("HTTP " + method + " " + target + ": no answer within 60 s");
    if (ec) {  // the server closed the idle connection: reconnect once
      impl_->stream.close();
      impl_->connected = false;
      if (attempt == 0) continue;
      throw std::runtime_error("HTTP " + method + " " + target + ": " + ec.message());
    }
    auto res = parser.release();
    HttpResult out;
    out.status = static_cast<int>(res.result_int());
    out.body = res.body();
    for (const auto& f : res) out.headers[std::string(f.name_string())] = std::string(f.value());
    if (!res.keep_alive()) {
      impl_->stream.close();
      impl_->connected = false;
    }
    return out;
  }
  throw std::logic_error("unreachable");
}

HttpResult HttpClient::get(const std::string& target, const std::string& bearer) {
  std::map<std::string, std::string> h;
  if (!bearer.empty()) h["Authorization"] = "Bearer " + bearer;
  return request("GET", target, "", h);
}

HttpResult HttpClient::post(const std::string& target, const nlohmann::json& body, const std::string& bearer) {
  std::map<std::string, std::string> h;
  if (!bearer.empty()) h["Authorization"] = "Bearer " + bearer;
  return request("POST", target, body.dump(), h);
}

bool sawEvent(HttpClient& c, const std::string& workspace_id, const std::string& type) {
  const HttpResult r = c.get("/events/" + workspace_id);
  const nlohmann::json events = r.json();
  if (r.status != 200 || !events.is_array())
    throw std::runtime_error("GET /events/" + workspace_id + ": " + std::to_string(r.status) + " " + r.body);
  return std::any_of(events.begin(), events.end(), [&](const nlohmann::json& e) { return e.value("event_type", "") == type; });
}

namespace {

net::ip::tcp::endpoint loopback(unsigned short port) {
  return net::ip::tcp::endpoint(net::ip::make_address("127.0.0.1"), port);
}

// Sends a GET and reads the head of the answer, within the request deadline; the status.
int openStream(net::io_context& io, beast::tcp_stream& stream, beast::flat_buffer& buffer, unsigned short port,
               const std::string& target, const std::map<std::string, std::string>& headers,
               http::response_parser<http::empty_body>& parser) {
  stream.connect(loopback(port));
  http::request<http::empty_body> req{http::verb::get, target, 11};
  req.set(http::field::host, "127.0.0.1");
  for (const auto& [k, v] : headers) req.set(k, v);
  parser.skip(true);  // the body may be an endless stream
  auto ec = within(io, stream, kRequestDeadline, [&](auto done) { http::async_write(stream, req, done); });
  if (!ec) ec = within(io, stream, kRequestDeadline, [&](auto done) { http::async_read_header(stream, buffer, parser, done); });
  if (ec) throw std::runtime_error("GET " + target + ": " + ec.message());
  return parser.get().result_int();
}

// Opens a WebSocket at `target`; throws "upgrade refused: <status>" when it is refused.
void openSocket(net::io_context& io, beast::websocket::stream<beast::tcp_stream>& ws, unsigned short port,
                const std::string& target, const std::map<std::string, std::string>& headers) {
  beast::get_lowest_layer(ws).connect(loopback(port));
  ws.set_option(beast::websocket::stream_base::decorator([headers](beast::websocket::request_type& req) {
    for (const auto& [k, v] : headers) req.set(k, v);
  }));
  beast::websocket::response_type res;
  const auto ec = within(io, beast::get_lowest_layer(ws), kRequestDeadline,
                         [&](auto done) { ws.async_handshake(res, "127.0.0.1", target, done); });
  if (ec) throw std::runtime_error("upgrade refused: " + std::to_string(res.result_int()));
}

}  // namespace

int streamStatus(unsigned short port, const std::string& target, const std::map<std::string, std::string>& headers) {
  net::io_context io;
  beast::tcp_stream stream(io);
  beast::flat_buffer buffer;
  http::response_parser<http::empty_body> parser;
  return openStream(io, stream, buffer, port, target, headers, parser);
}

struct LiveClient::Impl {
  net::io_context io;
  beast::websocket::stream<beast::tcp_stream> ws{io};  // for a socket
  beast::tcp_stream& tcp() { return beast::get_lowest_layer(ws); }
  bool sse = false;
  std::string pending;  // SSE bytes not yet split into events
  beast::flat_buffer buffer;
  bool closed = false;
  beast::error_code last_error;

  template <class Start>
  beast::error_code readWithin(std::chrono::milliseconds timeout, Start start) {
    return within(io, tcp(), timeout, start);
  }

  // The next message: a WebSocket frame, or an SSE event's data (`raw`: the whole block, comments
  // and event lines included).
  std::optional<std::string> nextText(std::chrono::milliseconds timeout, bool raw = false) {
    if (closed) return std::nullopt;
    if (!sse) {
      last_error = readWithin(timeout, [&](auto done) { ws.async_read(buffer, done); });
      if (last_error) return closed = true, std::nullopt;
      std::string text = beast::buffers_to_string(buffer.data());
      buffer.consume(buffer.size());
      return text;
    }
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      for (auto end = pending.find("\n\n"); end != std::string::npos; end = pending.find("\n\n")) {
        const std::string block = pending.substr(0, end);
        pending.erase(0, end + 2);
        if (raw) return block;
        if (block.rfind("data: ", 0) == 0) return block.substr(6);  // comments (": ...") are skipped
      }
      char chunk[4096];
      std::size_t got = 0;
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      last_error = readWithin(std::max(left, std::chrono::milliseconds(1)), [&](auto done) {
        tcp().async_read_some(net::buffer(chunk), [&got, done](beast::error_code ec, std::size_t n) {
          got = n;
          done(ec, n);
        });
      });
      if (last_error) return closed = true, std::nullopt;
      pending.append(chunk, got);
    }
  }
};

LiveClient::LiveClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
LiveClient::LiveClient(LiveClient&&) noexcept = default;
LiveClient::~LiveClient() = default;

LiveClient LiveClient::socket(unsigned short port, const std::string& target,
                              const std::map<std::string, std::string>& headers) {
  auto impl = std::make_unique<Impl>();
  openSocket(impl->io, impl->ws, port, target, headers);
  return LiveClient(std::move(impl));
}

LiveClient LiveClient::events(unsigned short port, const std::string& target,
                              const std::map<std::string, std::string>& headers) {
  auto impl = std::make_unique<Impl>();
  impl->sse = true;
  http::response_parser<http::empty_body> parser;
  openStream(impl->io, impl->tcp(), impl->buffer, port, target, headers, parser);
  if (parser.get().result_int() != 200) throw std::runtime_error("stream refused: " + std::to_string(parser.get().result_int()));
  if (parser.get()[http::field::content_type] != "text/event-stream") throw std::runtime_error("not an event stream");
  impl->pending = beast::buffers_to_string(impl->buffer.data());
  impl->buffer.consume(impl->buffer.size());
  return LiveClient(std::move(impl));
}

std::optional<nlohmann::json> LiveClient::next(std::chrono::milliseconds timeout) {
  auto text = impl_->nextText(timeout);
  if (!text) return std::nullopt;
  return nlohmann::json::parse(*text);
}

std::optional<std::string> LiveClient::nextBlock(std::chrono::milliseconds timeout) {
  return impl_->nextText(timeout, true);
}

std::optional<nlohmann::json> LiveClient::waitFor(const std::function<bool(const nlohmann::json&)>& match,
                                                  std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (auto now = std::chrono::steady_clock::now(); now < deadline; now = std::chrono::steady_clock::now()) {
    auto m = next(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now) + std::chrono::milliseconds(1));
    if (!m) return std::nullopt;
    if (match(*m)) return m;
  }
  return std::nullopt;
}

bool LiveClient::ended(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (impl_->nextText(timeout)) {
    if (std::chrono::steady_clock::now() > deadline) return false;  // still streaming
  }
  return impl_->last_error != beast::error::timeout && impl_->last_error != net::error::timed_out;
}

std::string terminalExchange(unsigned short port, const std::string& target,
                             const std::map<std::string, std::string>& headers, const std::string& input,
                             const std::string& expect, std::chrono::milliseconds timeout) {
  namespace websocket = beast::websocket;
  net::io_context io;
  websocket::stream<beast::tcp_stream> ws(io);
  openSocket(io, ws, port, target, headers);
  auto& tcp = beast::get_lowest_layer(ws);
  ws.binary(true);
  if (within(io, tcp, kRequestDeadline, [&](auto done) { ws.async_write(net::buffer(input), done); })) return "";
  std::string out;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  beast::flat_buffer buffer;
  while (out.find(expect) == std::string::npos && std::chrono::steady_clock::now() < deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (within(io, tcp, std::max(left, std::chrono::milliseconds(1)), [&](auto done) { ws.async_read(buffer, done); })) break;
    out += beast::buffers_to_string(buffer.data());
    buffer.consume(buffer.size());
  }
  within(io, tcp, std::chrono::seconds(2), [&](auto done) { ws.async_close(websocket::close_code::normal, done); });
  return out;
}

TempDir::TempDir() {
  char tmpl[] = "/tmp/ws-test-XXXXXX";
  if (!mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
  path_ = tmpl;
}

TempDir::~TempDir() {
  if (std::getenv("WS_TEST_KEEP_DIRS")) {  // for debugging: keep logs and databases
    std::fprintf(stderr, "kept %s\n", path_.c_str());
    return;
  }
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

PortProcess::PortProcess(const std::string& binary, std::vector<std::string> args,
                         const std::map<std::string, std::string>& env, const std::string& dir, const std::string& name) {
  const std::string port_file = dir + "/" + name + ".port";
  std::vector<std::string> argv{binary, "--port-file", port_file};
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<std::string> envs;
  for (char** e = environ; *e; ++e) {
    std::string kv = *e;
    const auto key = kv.substr(0, kv.find('='));
    // The test decides the process's configuration, not the developer's shell.
    static const std::set<std::string> kServerSettings{
        "ADMIN_TOKEN", "ADMIN_TOKEN_FILE", "MOLECULE_ENV", "PORT", "BIND_ADDRESS", "DATABASE_PATH", "DATABASE_URL",
        "MOLECULE_ORG_ID", "CP_PROVISION_URL", "MOLECULE_CP_URL", "MOLECULE_CP_SHARED_SECRET",
        "PROVISION_SHARED_SECRET", "CP_ADMIN_API_TOKEN", "SECRETS_ENCRYPTION_KEY", "ALLOW_LOOPBACK_AGENT_URLS",
        "ALLOW_PRIVILEGED_WORKSPACES", "WORKSPACE_DIR_ROOT", "MOLECULE_ENABLE_TEST_TOKENS", "WORKSPACE_BACKEND",
        "LOG_FORMAT", "HIBERNATION_SWEEP_SECONDS", "ACTIVITY_RETENTION_DAYS", "ACTIVITY_CLEANUP_INTERVAL_HOURS",
        "MCP_PING_SECONDS"};
    if (kServerSettings.count(key)) continue;
    if (!env.count(key)) envs.push_back(kv);
  }
  for (const auto& [k, v] : env) envs.push_back(k + "=" + v);
  std::vector<char*> cargv, cenv;
  for (auto& a : argv) cargv.push_back(a.data());
  cargv.push_back(nullptr);
  for (auto& e : envs) cenv.push_back(e.data());
  cenv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  const std::string log = dir + "/" + name + ".log";
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  const int rc = posix_spawn(&pid_, argv[0].c_str(), &actions, nullptr, cargv.data(), cenv.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw std::runtime_error("cannot start " + argv[0]);
  // A run killed from here on leaves this process behind: the state file names it.
  ResourceJournal::get().recordProcess(name, pid_, binary, dir);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    std::ifstream in(port_file);
    if (in >> port_) return;
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      std::ifstream l(log);
      throw std::runtime_error(name + " exited at start-up: " + std::string(std::istreambuf_iterator<char>(l), {}));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  throw std::runtime_error(name + " did not report its port in time");
}

int PortProcess::terminate() { return stop(SIGTERM); }

int PortProcess::stop(int signal) {
  if (pid_ <= 0) return -1;
  ::kill(pid_, signal);
  int status = 0;
  // A process that ignores SIGTERM for 20 s is killed: a hung child never stalls the suite.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (waitpid(pid_, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid_, SIGKILL);
      waitpid(pid_, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  pid_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

PortProcess::~PortProcess() { terminate(); }

CpEmulatorProcess::CpEmulatorProcess(const std::string& shared_secret, const std::string& admin_token)
    : secret_(shared_secret), admin_token_(admin_token) {
  const std::string src = WS_SOURCE_DIR;
  process_ = std::make_unique<PortProcess>(
      WS_CP_EMULATOR_BINARY,
      std::vector<std::string>{"--agent", WS_AGENT_BINARY, "--rootfs-script", src + "/tools/lib/make-rootfs.sh",
                               "--user-data", src + "/templates/default/install.sh", "--data-dir",
                               dir_.path() + "/data", "--shared-secret", shared_secret, "--admin-token", admin_token},
      std::map<std::string, std::string>{}, dir_.path(), "cp-emulator");
}

HttpClient CpEmulatorProcess::client() const { return HttpClient(port()); }

std::map<std::string, std::string> CpEmulatorProcess::auth(bool) const {
  return {{"Authorization", "Bearer " + secret_}, {"X-Molecule-Admin-Token", admin_token_}};
}

namespace {

// With WS_TEST_DATABASE_URL set, servers run on PostgreSQL: a fresh database per database path,
// so a server started again on a path (a restart) finds its data. Dropped when the test ends.
std::mutex databases_mutex;
std::map<std::string, std::unique_ptr<TestDatabase>>& databases() {
  static std::map<std::string, std::unique_ptr<TestDatabase>> all;
  return all;
}

// Dropped after the last test, before exit: at static destruction libpq's TLS state may
// already be gone.
struct DropDatabases : ::testing::Environment {
  void TearDown() override {
    std::lock_guard lock(databases_mutex);
    databases().clear();
  }
};
[[maybe_unused]] const auto* const kDropDatabases = ::testing::AddGlobalTestEnvironment(new DropDatabases);

std::string postgresUrlFor(const std::string& db_path) {
  std::lock_guard lock(databases_mutex);
  auto& db = databases()[db_path];
  if (!db) db = std::make_unique<TestDatabase>();
  return db->url();
}

std::vector<std::vector<std::string>> sqliteRows(const std::string& path, const std::string& query) {
  sqlite3* db = nullptr;
  if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) throw std::runtime_error("cannot open " + path);
  sqlite3_busy_timeout(db, 5000);
  std::vector<std::vector<std::string>> rows;
  const char* tail = query.c_str();
  while (tail && *tail) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db, tail, -1, &st, &tail) != SQLITE_OK) {
      const std::string error = sqlite3_errmsg(db);
      sqlite3_close(db);
      throw std::runtime_error("sql: " + error);
    }
    if (!st) break;  // trailing whitespace
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
      std::vector<std::string> row;
      for (int i = 0; i < sqlite3_column_count(st); ++i) {
        const auto* p = static_cast<const char*>(sqlite3_column_blob(st, i));
        row.emplace_back(p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(st, i))) : std::string());
      }
      rows.push_back(std::move(row));
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
      const std::string error = sqlite3_errmsg(db);
      sqlite3_close(db);
      throw std::runtime_error("sql: " + error);
    }
  }
  sqlite3_close(db);
  return rows;
}

}  // namespace

ServerProcess::ServerProcess(std::vector<std::string> args, std::map<std::string, std::string> env) {
  db_path_ = dir_.path() + "/workspace.db";
  for (std::size_t i = 0; i + 1 < args.size(); ++i)
    if (args[i] == "--db") db_path_ = args[i + 1];  // the caller reuses an existing database
  std::vector<std::string> argv{"--bind", "127.0.0.1"};
  if (!env.count("LOG_LEVEL") && std::find(args.begin(), args.end(), "--log-level") == args.end()) {
    argv.push_back("--log-level");
    argv.push_back("warn");
  }
  if (std::find(args.begin(), args.end(), "--port") == args.end()) {
    argv.push_back("--port");
    argv.push_back("0");
  }
  // Tests choose their backend explicitly; by default none, whatever engine the machine has.
  if (std::find(args.begin(), args.end(), "--backend") == args.end()) {
    argv.push_back("--backend");
    argv.push_back("none");
  }
  if (std::find(args.begin(), args.end(), "--db") == args.end()) {
    argv.push_back("--db");
    argv.push_back(db_path_);
  }
  const char* pg = std::getenv("WS_TEST_DATABASE_URL");
  if (pg && *pg && std::find(args.begin(), args.end(), "--database-url") == args.end()) {
    database_url_ = postgresUrlFor(db_path_);
    argv.push_back("--database-url");
    argv.push_back(database_url_);
    // Where the SQLite store would keep it, so tests find it in one place.
    if (std::find(args.begin(), args.end(), "--admin-token-file") == args.end()) {
      argv.push_back("--admin-token-file");
      argv.push_back(db_path_ + ".admin-token");
    }
  }
  argv.insert(argv.end(), args.begin(), args.end());
  process_ = std::make_unique<PortProcess>(WS_SERVER_BINARY, argv, env, dir_.path(), "server");
  port_ = process_->port();
}

ServerProcess::~ServerProcess() = default;

std::vector<std::vector<std::string>> ServerProcess::sql(const std::string& query) const {
  return databaseSql(db_path_, query);
}

std::string ServerProcess::storedBytes() const {
  std::string out;
  if (postgres()) {
    for (const auto& table : sql("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"))
      for (const auto& row : sql("SELECT t::text FROM \"" + table[0] + "\" t")) out += row[0] + "\n";
    return out;
  }
  for (const char* suffix : {"", "-wal"}) {
    std::ifstream in(db_path_ + suffix, std::ios::binary);
    out.append(std::istreambuf_iterator<char>(in), {});
  }
  return out;
}

std::vector<std::vector<std::string>> databaseSql(const std::string& db_path, const std::string& query) {
  std::string url;
  {
    std::lock_guard lock(databases_mutex);
    if (auto it = databases().find(db_path); it != databases().end()) url = it->second->url();
  }
  if (url.empty()) return sqliteRows(db_path, query);
  return TestDatabase::rows(url, query);
}

}  // namespace ws::test
