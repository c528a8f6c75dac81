// Events (runtime-spec 5.2, 6.1): the structure-event log (GET /events, /events/:workspaceId)
// and the live streams: the /ws WebSocket hub and a workspace's server-sent events.

#include "core/util.h"
#include "handlers/routes.h"

namespace ws {
namespace {

using nlohmann::json;

constexpr int kDefaultLimit = 100;
constexpr int kMaxLimit = 1000;

Response list(Services& svc, const Request& req, std::optional<std::string> workspace_id) {
  if (workspace_id && !isUuid(*workspace_id)) return Response::error(Errc::invalid_argument, "invalid workspace id");
  auto limit = readLimitParam(req, kDefaultLimit, kMaxLimit);
  if (!limit) return Response::error(Errc::invalid_argument, "limit must be a positive integer");
  auto events = svc.store.listEvents(workspace_id, *limit);
  if (!events) return Response::fromError(events.error());
  json out = json::array();
  for (const auto& e : *events)
    out.push_back({{"id", e.id},
                   {"event_type", e.event_type},
                   {"workspace_id", e.workspace_id ? json(*e.workspace_id) : json(nullptr)},
                   {"payload", parseStoredJson(e.payload)},
                   {"created_at", e.created_at}});
  return Response::json(200, out);
}

// What lets a stream in is asked again when a credential is revoked (LiveEvents::recheck); the
// grant keeps only the bearer.
LiveGrant grantOf(Services& svc, const Request& req, std::string workspace_id) {
  Request probe;
  probe.headers["authorization"] = "Bearer " + req.bearer();
  if (workspace_id.empty()) return {"", [&svc, probe] { return !svc.auth.admin(probe); }};
  return {workspace_id, [&svc, probe, workspace_id] { return !svc.auth.workspace(probe, workspace_id); }};
}

Response stream(Services& svc, const LiveScope& scope, LiveWire wire, LiveGrant grant) {
  auto feed = svc.live.open(scope, wire, std::move(grant));
  if (!feed) return Response::fromError(feed.error());
  return Response::stream(*feed);
}

// GET /ws. With X-Workspace-ID, an agent: that workspace's token (or the admin token), even
// while the workspace has none (no bootstrap exception for a read channel), and it sees the
// events of the workspaces it may communicate with. Without, the
// canvas: every event, for the admin token only. Browsers cannot set headers on a WebSocket,
// so the admin token may also come as ?token=.
Response hub(Services& svc, const Request& req) {
  if (auto id = req.header("x-workspace-id")) {
    if (!isUuid(*id)) return Response::error(Errc::invalid_argument, "invalid X-Workspace-ID");
    if (auto denied = svc.auth.workspace(req, *id)) return *denied;
    return stream(svc, LiveScope::peersOf(*id), LiveWire::message, grantOf(svc, req, *id));
  }
  Request as_bearer = req;
  if (auto token = req.queryParam("token"); token && req.bearer().empty())
    as_bearer.headers["authorization"] = "Bearer " + *token;
  if (auto denied = svc.auth.admin(as_bearer)) return *denied;
  return stream(svc, LiveScope::everything(), LiveWire::message, grantOf(svc, as_bearer, ""));
}

}  // namespace

void registerEventRoutes(Router& router, Services& svc) {
  router.addFeedSocket("/ws", AuthPolicy::open, [&svc](const Request& r) { return hub(svc, r); });
  router.add("GET", "/workspaces/:id/events/stream", AuthPolicy::workspace,
             [&svc](const Request& r) {
               return stream(svc, LiveScope::workspace(r.param("id")), LiveWire::envelope, grantOf(svc, r, r.param("id")));
             });
  router.add("GET", "/events", AuthPolicy::admin, [&svc](const Request& r) { return list(svc, r, std::nullopt); });
  router.add("GET", "/events/:workspaceId", AuthPolicy::admin,
             [&svc](const Request& r) { return list(svc, r, r.param("workspaceId")); });
}

}  // namespace ws
