#pragma once
// Starts the real workspace-server binary on a free port with a private database, and talks
// to it over HTTP. Used by the integration tests.

#include <nlohmann/json.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace ws::test {

struct HttpResult {
  int status = 0;
  std::string body;
  std::map<std::string, std::string> headers;
  nlohmann::json json() const;
};

/// A keep-alive HTTP/1.1 client for 127.0.0.1:<port>.
class HttpClient {
 public:
  /// `default_bearer` is sent when a call names no Authorization of its own.
  explicit HttpClient(unsigned short port, std::string default_bearer = "");
  ~HttpClient();
  HttpResult request(const std::string& method, const std::string& target, const std::string& body = "",
                     const std::map<std::string, std::string>& headers = {});
  HttpResult get(const std::string& target, const std::string& bearer = "");
  HttpResult post(const std::string& target, const nlohmann::json& body, const std::string& bearer = "");

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Whether the workspace's structure events (GET /events/<id>) include one of `type`. Throws
/// when the answer is not a 200 with a list, so an error body never reads as "no such event".
bool sawEvent(HttpClient& c, const std::string& workspace_id, const std::string& type);

/// Opens the WebSocket at `target` (with `headers`), sends `input`, and collects output until it
/// contains `expect` or `timeout` passes. Throws with the HTTP status when the upgrade is refused.
std::string terminalExchange(unsigned short port, const std::string& target,
                             const std::map<std::string, std::string>& headers, const std::string& input,
                             const std::string& expect, std::chrono::milliseconds timeout);

/// The status of a request whose answer may be an endless stream (server-sent events): only
/// the head of the answer is read.
int streamStatus(unsigned short port, const std::string& target, const std::map<std::string, std::string>& headers);

/// A client of a live-event stream: the /ws hub (a WebSocket) or a workspace's server-sent events.
class LiveClient {
 public:
  /// Opens the WebSocket at `target`; throws "upgrade refused: <status>" when it is refused.
  static LiveClient socket(unsigned short port, const std::string& target,
                           const std::map<std::string, std::string>& headers);
  /// Opens the server-sent events at `target`; throws "stream refused: <status>" when refused.
  static LiveClient events(unsigned short port, const std::string& target,
                           const std::map<std::string, std::string>& headers);
  LiveClient(LiveClient&&) noexcept;
  ~LiveClient();

  /// The next message, or nothing when `timeout` passes first (the stream is then unusable).
  std::optional<nlohmann::json> next(std::chrono::milliseconds timeout);
  /// Server-sent events only: the next block as sent (an event's lines, or a comment), without
  /// its blank line; nothing when `timeout` passes first.
  std::optional<std::string> nextBlock(std::chrono::milliseconds timeout);
  /// Skips messages until one for which `match` holds; nothing when `timeout` passes first.
  std::optional<nlohmann::json> waitFor(const std::function<bool(const nlohmann::json&)>& match,
                                        std::chrono::milliseconds timeout);
  /// True when the server has ended the stream (the connection is closed).
  bool ended(std::chrono::milliseconds timeout);

 private:
  struct Impl;
  explicit LiveClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

/// A child process that reports its listening port through --port-file.
class PortProcess {
 public:
  /// Starts `binary` with `args` plus `--port-file <dir>/port`, the environment plus `env`,
  /// output into `<dir>/<name>.log`, and waits for the port.
  PortProcess(const std::string& binary, std::vector<std::string> args, const std::map<std::string, std::string>& env,
              const std::string& dir, const std::string& name);
  ~PortProcess();
  PortProcess(const PortProcess&) = delete;
  PortProcess& operator=(const PortProcess&) = delete;

  unsigned short port() const { return port_; }
  /// Sends SIGTERM and returns the exit status (SIGKILL after 20 s).
  int terminate();
  /// Sends `signal` (SIGKILL for a crash) and returns the exit status.
  int stop(int signal);

 private:
  int pid_ = -1;
  unsigned short port_ = 0;
};

/// A private directory removed at destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

/// cp-emulator on a free port, with the project's agent, rootfs script and default template.
class CpEmulatorProcess {
 public:
  CpEmulatorProcess(const std::string& shared_secret, const std::string& admin_token);
  unsigned short port() const { return process_->port(); }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port()); }
  HttpClient client() const;
  /// Headers that authenticate as the tenant (or, with `admin`, with the admin key).
  std::map<std::string, std::string> auth(bool admin = false) const;
  /// Where the emulator keeps its instances' root filesystems.
  std::string dataDir() const { return dir_.path() + "/data"; }

 private:
  TempDir dir_;
  std::string secret_, admin_token_;
  std::unique_ptr<PortProcess> process_;
};

class ServerProcess {
 public:
  /// Starts the server with `args` (besides port, bind and database) and `env` added.
  explicit ServerProcess(std::vector<std::string> args = {}, std::map<std::string, std::string> env = {});
  ~ServerProcess();

  unsigned short port() const { return port_; }
  const std::string& dbPath() const { return db_path_; }
  /// Whether the server runs on PostgreSQL (WS_TEST_DATABASE_URL set) rather than SQLite.
  bool postgres() const { return !database_url_.empty(); }
  /// Runs `sql` on the server's database through a connection of its own, whichever the store:
  /// every row, each column as text (bytes for SQLite's blobs; NULL as "").
  std::vector<std::vector<std::string>> sql(const std::string& query) const;
  /// Everything the server stored, as bytes to search: the SQLite file and its write-ahead log,
  /// or every row of every table on PostgreSQL, as text.
  std::string storedBytes() const;
  /// Everything the server wrote (stdout and stderr).
  std::string logPath() const { return dir_.path() + "/server.log"; }
  HttpClient client(const std::string& default_bearer = "") const { return HttpClient(port_, default_bearer); }
  /// Sends SIGTERM and returns the exit status.
  int terminate() { return process_->terminate(); }
  /// Kills the server at once (SIGKILL), as a crash or a power cut would.
  int crash() { return process_->stop(9); }

 private:
  TempDir dir_;
  std::string db_path_;
  std::string database_url_;
  std::unique_ptr<PortProcess> process_;
  unsigned short port_ = 0;
};

/// ServerProcess::sql on the database of `db_path` (a server that was started on it).
std::vector<std::vector<std::string>> databaseSql(const std::string& db_path, const std::string& query);

}  // namespace ws::test
