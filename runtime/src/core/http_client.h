#pragma once
// A small HTTP/1.1 client (http:// only) for the control plane and for agents. httpExchange
// blocks: each call runs on its own io_context, safe from any thread but kept off the server's
// I/O threads (Response::later). pooledExchange does not block: on a server I/O thread it reuses
// that thread's keep-alive connections and completes there.

#include <chrono>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "ws/errors.h"

namespace boost::asio {
class io_context;
}

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

/// Binds the calling thread to `ctx` (the server does it for each I/O thread): pooledExchange
/// calls made on this thread run on `ctx`, with connections kept there between calls.
void bindIoThread(boost::asio::io_context& ctx);
/// Whether the calling thread is a bound I/O thread.
bool onIoThread();
/// One exchange like httpExchange, without blocking, on the bound I/O thread of the caller:
/// an idle keep-alive connection to the same address is reused (a connection the peer closed
/// meanwhile is replaced once), and an answered connection that may be kept is kept (at most
/// 64 idle per address and thread). `call.addresses` must be set (IP literals: nothing is
/// resolved here). `done` is called once, on this thread.
void pooledExchange(HttpCall call, std::function<void(Result<HttpReply>)> done);

}  // namespace ws
