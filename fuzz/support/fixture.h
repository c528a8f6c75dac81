#pragma once
// The server's request path without the network: every route of the server's wiring over a
// temporary SQLite store, no backend wired. Built once per fuzzing process and never torn
// down (background work may still be running when the process exits).

#include <string>

#include "server/http.h"

namespace ws::fuzz {

/// Workspaces seeded at start-up, so that inputs can name them: a root and its child, both
/// online, and a schedule of the root.
inline constexpr const char* kRootId = "11111111-1111-4111-8111-111111111111";
inline constexpr const char* kChildId = "22222222-2222-4222-8222-222222222222";
inline constexpr const char* kScheduleId = "33333333-3333-4333-8333-333333333333";
/// The admin token (the seed corpus sends it as a bearer).
inline constexpr const char* kAdminToken = "fuzz-admin-token";

struct Fixture {
  std::string dir;            ///< Temporary directory: database and org templates.
  std::string templates_dir;  ///< The server's org templates directory (inside `dir`).
  /// Routes the request like the server does, deferred work (blocking routes, the A2A proxy)
  /// included; a WebSocket upgrade goes to the terminal routes, minus the bridge (a terminal
  /// that opens is closed at once). Link
  /// support/offline.cpp: agent calls then fail at once. An exception out of a handler
  /// becomes a 500 as in the server; with WS_FUZZ_STRICT=1 in the environment it aborts, so
  /// that the fuzzer reports it. WS_FUZZ_TRACE=1 prints each request and its response.
  Response handle(Request& req, bool websocket_upgrade = false);
  /// The body limit the server's parser applies.
  std::size_t bodyLimit() const;

 private:
  Response route(Request& req, bool websocket_upgrade);
};

/// The process-wide fixture; the first call builds it.
Fixture& fixture();

}  // namespace ws::fuzz
