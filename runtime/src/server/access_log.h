#pragma once
// The access log: one line per answered request, tied to the request id the response carries
// (X-Request-Id). It names the route pattern and the path, never the query string nor a header,
// so no token reaches the log.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "server/http.h"

namespace ws {

/// The id of a request: the client's X-Request-Id when it is sane (1-128 printable ASCII
/// characters, no space, quote or backslash), else a fresh one.
std::string requestIdFor(const std::optional<std::string>& incoming);

/// Writes the access line of `req`, answered with `status` after `elapsed`, in the configured
/// log format (core/logging.h).
void logAccess(const Request& req, int status, std::chrono::steady_clock::duration elapsed);

/// The text form of an access line (for the text log format), e.g.
/// `GET /workspaces/:id 200 1.25ms request_id=... path=/workspaces/... remote=127.0.0.1`.
std::string accessLine(const Request& req, int status, std::chrono::steady_clock::duration elapsed);

/// The JSON form: {"request_id", "method", "route", "path", "status", "duration_ms", "remote"}.
std::string accessJson(const Request& req, int status, std::chrono::steady_clock::duration elapsed);

}  // namespace ws
