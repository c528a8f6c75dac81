#pragma once
// A small blocking HTTP/1.1 client (http:// only) for the control plane and for agents. Each
// call runs on its own io_context, so it is safe from any thread; keep it off the server's
// I/O threads (Response::later).

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "ws/errors.h"

namespace ws {

struct HttpCall {
  std::string peer;  ///< Names the other side in error messages ("control plane", "agent").
  std::string method = "GET";
  std::string host;
  std::string port;
  std::string target = "/";
  std::vector<std::string> addresses;  ///< When set: connect to these IPs, do not resolve `host`.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string content_type = "application/json";  ///< Sent with a non-empty body.
  std::size_t cap = 16u << 20;                     ///< Largest response body accepted.
  std::chrono::milliseconds timeout{30000};        ///< For the whole exchange.
};

struct HttpReply {
  int status = 0;
  std::string body;
};

/// One exchange. Errors: timeout when `timeout` passes; backend_unavailable when the peer does
/// not resolve, refuses or drops the connection; backend_error for a body over `cap`.
Result<HttpReply> httpExchange(const HttpCall& call);

}  // namespace ws
