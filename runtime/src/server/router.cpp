#include "server/router.h"

#include <algorithm>

#include "core/feed.h"

namespace ws {

std::vector<std::string> splitPath(std::string_view path) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < path.size()) {
    while (i < path.size() && path[i] == '/') ++i;
    const std::size_t j = path.find('/', i);
    const std::size_t end = j == std::string_view::npos ? path.size() : j;
    if (end > i) out.emplace_back(path.substr(i, end - i));
    i = end;
  }
  return out;
}

namespace {

bool isParameter(const std::string& segment) { return segment.front() == ':' || segment.front() == '*'; }

// The path's non-empty segments, viewing the request's own.
std::vector<std::string_view> pathSegments(const Request& req) {
  std::vector<std::string_view> out;
  out.reserve(req.segments.size());
  for (const auto& s : req.segments)
    if (!s.empty()) out.emplace_back(s);
  return out;
}

}  // namespace

void Router::addRoute(Route route) {
  for (const auto& s : route.segments) route.literals += !isParameter(s);
  route.rest = !route.segments.empty() && route.segments.back().front() == '*';
  const bool anchored = !route.segments.empty() && !isParameter(route.segments.front());
  // A literal last segment narrows the bucket further ("/workspaces/:id/a2a" is not walked
  // past every other "/workspaces/:id/..."); a parameter there is ":".
  const std::string_view last =
      route.rest || route.segments.empty() || isParameter(route.segments.back()) ? ":" : std::string_view(route.segments.back());
  buckets_[bucketKey(anchored ? route.segments.front() : "", route.rest ? 0 : route.segments.size(), route.rest, last)]
      .push_back(routes_.size());
  routes_.push_back(std::move(route));
}

void Router::add(std::string method, const std::string& pattern, AuthPolicy policy, Handler handler) {
  addRoute(Route{std::move(method), pattern, splitPath(pattern), policy, std::move(handler), nullptr, false});
}

void Router::addBlocking(std::string method, const std::string& pattern, AuthPolicy policy, Handler handler) {
  addRoute(Route{std::move(method), pattern, splitPath(pattern), policy, std::move(handler), nullptr, true});
}

void Router::addTerminal(const std::string& pattern, AuthPolicy policy, TerminalOpener opener) {
  addRoute(Route{"WEBSOCKET", pattern, splitPath(pattern), policy,
                          [](const Request&) { return Response::protocolError(426, "this route needs a WebSocket upgrade"); },
                          std::move(opener), true});
}

void Router::addFeedSocket(const std::string& pattern, AuthPolicy policy, Handler handler) {
  // A plain GET is authenticated like the upgrade (so it answers 401/403 the same way), then
  // told to upgrade.
  Handler plain = [handler](const Request& req) {
    Response r = handler(req);
    if (!r.feed) return r;
    r.feed->close();
    return Response::protocolError(426, "this route needs a WebSocket upgrade");
  };
  addRoute(Route{"WEBSOCKET", pattern, splitPath(pattern), policy, std::move(plain),
                          [handler = std::move(handler)](const Request& req) { return handler(req); }, true});
}

std::vector<RouteInfo> Router::table() const {
  std::vector<RouteInfo> out;
  for (const auto& r : routes_) out.push_back(RouteInfo{r.method == "WEBSOCKET" ? "GET" : r.method, r.pattern, r.policy, r.blocking});
  return out;
}

const char* policyName(AuthPolicy p) {
  switch (p) {
    case AuthPolicy::open: return "open";
    case AuthPolicy::admin: return "admin";
    case AuthPolicy::workspace: return "workspace";
    case AuthPolicy::canvas: return "canvas";
  }
  return "unknown";
}

std::variant<Response, std::shared_ptr<Terminal>> Router::openTerminal(Request& req) const {
  const auto segments = pathSegments(req);
  for (const auto& r : routes_) {
    if (!r.opener || !matches(r, segments)) continue;
    bind(r, segments, req);
    req.route = r.pattern;
    if (auto denied = auth_.check(r.policy, req)) return *denied;
    return r.opener(req);
  }
  return Response::protocolError(404, "not found");
}

bool Router::matches(const Route& r, const std::vector<std::string_view>& segments) {
  // A last segment "*name" takes the rest of the path (one or more segments).
  const std::size_t fixed = r.rest ? r.segments.size() - 1 : r.segments.size();
  if (r.rest ? segments.size() <= fixed : segments.size() != fixed) return false;
  for (std::size_t i = 0; i < fixed; ++i) {
    const auto& want = r.segments[i];
    if (want.front() != ':' && want != segments[i]) return false;
  }
  return true;
}

void Router::bind(const Route& r, const std::vector<std::string_view>& segments, Request& req) {
  const std::size_t fixed = r.rest ? r.segments.size() - 1 : r.segments.size();
  req.params.clear();
  for (std::size_t i = 0; i < fixed; ++i)
    if (r.segments[i].front() == ':') req.params[r.segments[i].substr(1)] = std::string(segments[i]);
  if (r.rest) {
    std::string joined;
    for (std::size_t i = fixed; i < segments.size(); ++i) {
      if (!joined.empty()) joined += '/';
      joined += segments[i];
    }
    req.params[r.segments.back().substr(1)] = std::move(joined);
  }
}

std::string Router::bucketKey(std::string_view first, std::size_t count, bool rest, std::string_view last) {
  std::string key(first);
  key += '/';
  key += rest ? "*" : std::to_string(count);
  key += '/';
  key += last;
  return key;
}

const Router::Route* Router::find(Request& req, bool& path_known) const {
  const auto segments = pathSegments(req);
  path_known = false;
  // Only six buckets can hold a match: routes by this path's first segment or by a parameter,
  // with its number of segments and its last segment or a parameter there, or ending in "*rest".
  // Each lists routes in the order added; they are walked together in that order so that the
  // first added wins a tie.
  const std::string_view first = segments.empty() ? std::string_view() : segments.front();
  const std::string_view last = segments.empty() ? std::string_view() : segments.back();
  const std::vector<std::size_t>* lists[6] = {};
  std::size_t heads[6] = {};
  int n = 0;
  const auto look = [&](std::string_view by) {
    for (const auto& key : {bucketKey(by, segments.size(), false, last), bucketKey(by, segments.size(), false, ":"),
                            bucketKey(by, 0, true, ":")})
      if (auto it = buckets_.find(key); it != buckets_.end()) lists[n++] = &it->second;
  };
  if (!first.empty()) look(first);
  look("");
  // Literal segments win over parameters: "/registry/register" before "/registry/:id".
  const Route* best = nullptr;
  for (;;) {
    int next = -1;
    for (int i = 0; i < n; ++i)
      if (heads[i] < lists[i]->size() && (next < 0 || (*lists[i])[heads[i]] < (*lists[next])[heads[next]])) next = i;
    if (next < 0) break;
    const Route& r = routes_[(*lists[next])[heads[next]++]];
    if (best && r.literals <= best->literals) continue;
    if (!matches(r, segments)) continue;
    path_known = true;
    // A WebSocket route answers a plain GET with 426.
    if (r.method != req.method && !(r.opener && req.method == "GET")) continue;
    best = &r;
  }
  if (best) bind(*best, segments, req);
  return best;
}

void Router::setBodyLimit(const std::string& method, const std::string& pattern, std::size_t bytes) {
  for (auto& r : routes_)
    if (r.method == method && r.pattern == pattern) r.body_limit = bytes;
}

BodyAdmission Router::admitBody(Request& head) const {
  bool path_known = false;
  const Route* r = find(head, path_known);
  if (!r || r->body_limit == 0) return {};
  if (auto denied = auth_.check(r->policy, head)) return {0, std::move(denied)};
  return {r->body_limit, std::nullopt};
}

std::size_t Router::largestBodyLimit() const {
  std::size_t largest = 0;
  for (const auto& r : routes_) largest = std::max(largest, r.body_limit);
  return largest;
}

Response Router::handle(Request& req) const {
  bool path_known = false;
  const Route* best = find(req, path_known);
  if (!best) {
    return path_known ? Response::protocolError(405, "method not allowed")
                      : Response::protocolError(404, "not found");
  }
  req.route = best->pattern;
  if (auto denied = auth_.check(best->policy, req)) return *denied;
  if (best->blocking && !best->opener) {
    // The worker gets its own request; the body moves rather than copies (an upload is 50 MiB).
    std::string body = std::move(req.body);
    Request copy = req;
    copy.body = std::move(body);
    return Response::later([&handler = best->handler, copy = std::move(copy)] { return handler(copy); });
  }
  return best->handler(req);
}

}  // namespace ws
