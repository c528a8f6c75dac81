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
#include "server/router.h"
#include "ws/config.h"
#include "ws/errors.h"
#include "ws/provisioner.h"

namespace ws {

using RequestHandler = std::function<Response(Request&)>;
/// For WebSocket upgrade requests: the Terminal to bridge to, or the response to refuse with.
using TerminalHandler = std::function<std::variant<Response, std::shared_ptr<Terminal>>(Request&)>;
/// Told of every answered request after its access line: the request as routed (route set),
/// the status sent (101 for an accepted WebSocket) and how long the answer took.
using RequestObserver = std::function<void(const Request& req, int status, std::chrono::steady_clock::duration elapsed)>;

/// Routes that take bodies past the server's limit (ServerConfig::body_limit), e.g. uploads.
struct BodyLimits {
  std::size_t largest = 0;  ///< The largest limit of any route.
  /// What the route a request head (method, target, headers) goes to admits.
  std::function<BodyAdmission(Request&)> admit;
};

class HttpServer {
 public:
  HttpServer(const ServerConfig& config, RequestHandler handler, TerminalHandler terminals = nullptr,
             BodyLimits body_limits = {});
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  /// Before start(): who is told of each answered request (the metrics).
  void observe(RequestObserver observer);
  /// Binds, starts the worker threads and returns the bound port.
  Result<std::uint16_t> start();
  /// Stops accepting, lets in-flight requests finish (at most `grace`), then joins the threads.
  void stop(std::chrono::milliseconds grace);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ws
