#pragma once
// Starts the real workspace-server binary on a free port with a private database, and talks
// to it over HTTP. Used by the integration tests.

#include <nlohmann/json.hpp>

#include <map>
#include <memory>
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

class ServerProcess {
 public:
  /// Starts the server with `args` (besides port, bind and database) and `env` added.
  explicit ServerProcess(std::vector<std::string> args = {}, std::map<std::string, std::string> env = {});
  ~ServerProcess();

  unsigned short port() const { return port_; }
  const std::string& dbPath() const { return db_path_; }
  HttpClient client(const std::string& default_bearer = "") const { return HttpClient(port_, default_bearer); }
  /// Sends SIGTERM and returns the exit status.
  int terminate();

 private:
  std::string dir_;
  std::string db_path_;
  int pid_ = -1;
  unsigned short port_ = 0;
};

}  // namespace ws::test
