#pragma once
// Transport-neutral request and response types. Handlers see only these; Boost.Beast stays
// inside server.cpp so that it is compiled once.

#include <nlohmann/json.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ws {

struct Error;
enum class Errc;
class Feed;
class Terminal;

struct Request {
  std::string method;  ///< Upper case: GET, POST, ...
  std::string target;  ///< Path plus query, as received.
  std::string path;    ///< Percent-decoded path without the query (for logs).
  std::vector<std::string> segments;  ///< Decoded path segments; an encoded '/' stays inside one.
  std::map<std::string, std::string> query;    ///< Decoded query parameters (last one wins).
  std::map<std::string, std::string> headers;  ///< Lower-case names.
  std::string body;
  std::string remote_address;
  std::map<std::string, std::string> params;  ///< Route parameters such as ":id".
  std::string route;       ///< The pattern of the route that answered ("" when none): for logs and metrics.
  std::string request_id;  ///< The client's X-Request-Id when sane, else one the server made.

  std::optional<std::string> header(const std::string& lower_name) const;
  std::optional<std::string> queryParam(const std::string& name) const;
  const std::string& param(const std::string& name) const;
  /// The token of an `Authorization: Bearer <token>` header, or "".
  std::string bearer() const;
};

/// Fills target, path, segments and query of `req` from an origin-form request target
/// ("/a/b?x=1"), percent-decoded; false when the target is malformed.
bool parseRequestTarget(std::string_view target, Request& req);

/// How a feed goes out as server-sent events (Response::stream).
struct EventFraming {
  /// Each message is a whole event ("event: x\ndata: y\n\n"), written as it is, and silence is
  /// broken by `: ping`; otherwise each message is one `data:` line, after an opening `: ping`,
  /// and silence is broken by `: keep-alive`.
  bool whole_events = false;
  /// Silence after which the comment goes out: it keeps proxies from closing the stream and
  /// finds clients that are gone.
  std::chrono::seconds idle{25};
};

struct Response {
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
  bool drop_connection = false;  ///< Close without answering (fault injection in emulators).
  /// Set by handlers whose work blocks (calls that wait on an agent): the server runs it on a
  /// worker pool, off the I/O threads, and sends what it returns.
  std::function<Response()> deferred;
  /// Set by handlers that wait on the network without blocking: the server calls it on the
  /// request's I/O thread with a completion, which the work calls once, from that thread, with
  /// the response (core/agent_pool.h does its I/O there).
  std::function<void(std::function<void(Response)>)> pending;
  /// Set by live-event routes: after the headers the server sends the feed's messages as they
  /// come (as WebSocket text frames on an upgraded connection, as server-sent events otherwise)
  /// until the client leaves or the feed closes.
  std::shared_ptr<Feed> feed;
  EventFraming framing;  ///< Of `feed`, when it goes out as server-sent events.

  static Response json(int status, const nlohmann::json& body);
  /// `{"error": message}` with the status of `code` (httpStatus): the one mapping from the
  /// error model to HTTP.
  static Response error(Errc code, std::string_view message);
  /// The status and message of a typed error.
  static Response fromError(const Error& e);
  /// `{"error": message}` with a status of the HTTP protocol itself (405, 426, a parse
  /// failure): for the server and the router, never for a handler's outcome.
  static Response protocolError(int status, std::string_view message);
  /// A response computed by `work` on the server's worker pool.
  static Response later(std::function<Response()> work);
  /// A response that `start` completes asynchronously on the request's I/O thread.
  static Response async(std::function<void(std::function<void(Response)>)> start);
  /// A live stream of `feed`'s messages.
  static Response stream(std::shared_ptr<Feed> feed, EventFraming framing = {});
};

}  // namespace ws
