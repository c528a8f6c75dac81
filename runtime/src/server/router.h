#pragma once
// Method + path-pattern routing with per-route authentication policies.

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <variant>
#include <string>
#include <map>
#include <vector>

#include "server/http.h"

namespace ws {

/// Who may call a route. The Router asks an Authenticator before it runs the handler.
enum class AuthPolicy {
  open,       ///< No credentials needed (the handler may still gate).
  admin,      ///< AdminAuth.
  workspace,  ///< WorkspaceAuth on the ":id" parameter.
  canvas,     ///< CanvasOrBearer: any valid bearer, or the canvas's origin (cosmetic routes).
};

class Authenticator {
 public:
  virtual ~Authenticator() = default;
  /// An error response when the request may not proceed, nothing otherwise.
  virtual std::optional<Response> check(AuthPolicy policy, const Request& req) = 0;
};

const char* policyName(AuthPolicy p);

using Handler = std::function<Response(const Request&)>;

/// One row of the route table, as the server lists it (--list-routes).
struct RouteInfo {
  std::string method;
  std::string pattern;
  AuthPolicy policy;
  bool blocking;  ///< Runs on the worker pool.
};
/// A WebSocket route: the Terminal to bridge the connection to, or the response to refuse with.
using TerminalOpener = std::function<std::variant<Response, std::shared_ptr<Terminal>>(const Request&)>;

/// How large a body the route of a request head admits, decided before the body is read.
struct BodyAdmission {
  std::size_t limit = 0;           ///< 0: the server's own limit.
  std::optional<Response> refusal;  ///< The route's authentication refused the head.
};

class Router {
 public:
  explicit Router(Authenticator& auth) : auth_(auth) {}

  /// Registers `pattern` such as "/workspaces/:id/state". Segments starting with ':' bind.
  void add(std::string method, const std::string& pattern, AuthPolicy policy, Handler handler);

  /// Registers a route whose handler waits on a backend or the network: after authentication
  /// it runs on the server's worker pool, so a hung engine or control plane never holds an
  /// I/O thread (nor delays /health or other workspaces' requests).
  void addBlocking(std::string method, const std::string& pattern, AuthPolicy policy, Handler handler);

  /// Registers a GET route that upgrades to a WebSocket bridged to a Terminal.
  void addTerminal(const std::string& pattern, AuthPolicy policy, TerminalOpener opener);
  /// Registers a GET route that upgrades to a WebSocket carrying the feed of the handler's
  /// Response::stream (or answers the handler's refusal).
  void addFeedSocket(const std::string& pattern, AuthPolicy policy, Handler handler);

  /// Lets the route `method pattern` (already added) receive bodies up to `bytes`, beyond the
  /// server's limit (uploads), from callers its policy admits.
  void setBodyLimit(const std::string& method, const std::string& pattern, std::size_t bytes);
  /// The body `head` (method, target and headers; no body yet) may bring: its route's own limit
  /// once the route's policy admits the caller, so that nobody unauthenticated gets a large
  /// body read; the refusal when it does not.
  BodyAdmission admitBody(Request& head) const;
  /// The largest body limit of any route (0 when none has its own).
  std::size_t largestBodyLimit() const;

  /// Routes the request: 404 for an unknown path, 405 for a known path with another method.
  Response handle(Request& req) const;
  /// Every registered route, in registration order.
  std::vector<RouteInfo> table() const;
  /// Routes a WebSocket upgrade request (auth included).
  std::variant<Response, std::shared_ptr<Terminal>> openTerminal(Request& req) const;

 private:
  struct Route {
    std::string method;
    std::string pattern;
    std::vector<std::string> segments;
    AuthPolicy policy;
    Handler handler;
    TerminalOpener opener;  ///< set for WebSocket routes
    bool blocking;
    std::size_t body_limit = 0;
    int literals = 0;  ///< Segments that are neither ":param" nor "*rest": the more, the better the match.
    bool rest = false;  ///< The last segment is "*name".
  };
  void addRoute(Route route);
  /// The route serving `req` (literal segments win over parameters); `path_known` tells a
  /// known path with another method from an unknown one.
  const Route* find(Request& req, bool& path_known) const;
  static bool matches(const Route& r, const std::vector<std::string_view>& segments);
  /// Sets req.params from the path `r` matches.
  static void bind(const Route& r, const std::vector<std::string_view>& segments, Request& req);

  Authenticator& auth_;
  std::vector<Route> routes_;
  /// Indexes into routes_, in the order added, by bucketKey: a route's literal first segment
  /// ("" when it starts with a parameter), its number of segments ("*" when it ends in "*rest")
  /// and its literal last segment (":" when a parameter, or for "*rest").
  static std::string bucketKey(std::string_view first, std::size_t count, bool rest, std::string_view last);
  std::map<std::string, std::vector<std::size_t>, std::less<>> buckets_;
};

/// Splits "/a/b/" into {"a", "b"}.
std::vector<std::string> splitPath(std::string_view path);

}  // namespace ws
