#pragma once
// The HTTP listener: one io_context per thread, each with its own SO_REUSEPORT acceptor on the
// same port, and one coroutine per connection (keep-alive, body limit, read/write timeouts).

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <variant>

#include "server/http.h"
#include "ws/config.h"
#include "ws/errors.h"
#include "ws/provisioner.h"

namespace ws {

using RequestHandler = std::function<Response(Request&)>;
/// For WebSocket upgrade requests: the Terminal to bridge to, or the response to refuse with.
using TerminalHandler = std::function<std::variant<Response, std::shared_ptr<Terminal>>(Request&)>;

/// The body limit of the route a request (its head: method and target) goes to; 0 for the
/// server's own (ServerConfig::body_limit).
using BodyLimitHandler = std::function<std::size_t(Request&)>;

class HttpServer {
 public:
  HttpServer(const ServerConfig& config, RequestHandler handler, TerminalHandler terminals = nullptr,
             BodyLimitHandler body_limits = nullptr);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  /// Binds, starts the worker threads and returns the bound port.
  Result<std::uint16_t> start();
  /// Stops accepting, lets in-flight requests finish (at most `grace`), then joins the threads.
  void stop(std::chrono::milliseconds grace);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ws
