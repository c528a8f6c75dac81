// The structure-event log (runtime-spec 5.2): GET /events and /events/:workspaceId.

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

}  // namespace

void registerEventRoutes(Router& router, Services& svc) {
  router.add("GET", "/events", AuthPolicy::admin, [&svc](const Request& r) { return list(svc, r, std::nullopt); });
  router.add("GET", "/events/:workspaceId", AuthPolicy::admin,
             [&svc](const Request& r) { return list(svc, r, r.param("workspaceId")); });
}

}  // namespace ws
