#pragma once
// A small blocking HTTP/1.1 client for calls to agents (http:// only). Each call runs on its
// own io_context, so it is safe from any thread; run it off the server's I/O threads
// (Response::later).

#include <chrono>
#include <string>

#include "ws/errors.h"

namespace ws {

struct HttpReply {
  int status = 0;
  std::string body;
};

/// POSTs `body` as application/json to `url`. Errors: invalid_argument for a URL that is not
/// http://host[:port][/path], timeout when `timeout` passes, backend_unavailable when the
/// connection is refused or resets before an answer, backend_error for anything else.
Result<HttpReply> postJson(const std::string& url, const std::string& body, std::chrono::milliseconds timeout);

}  // namespace ws
