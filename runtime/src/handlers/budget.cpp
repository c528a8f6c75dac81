// Budgets (runtime-spec 6.3 "Budget"): a monthly limit in USD cents against the spend agents
// report in their heartbeats. The A2A proxy enforces it (402); this file reads and sets it.

#include "core/json.h"
#include "handlers/routes.h"

namespace ws {
namespace {

using nlohmann::json;

json budgetJson(const Workspace& w) {
  json remaining = nullptr;
  if (w.budget_limit) remaining = std::max<std::int64_t>(0, *w.budget_limit - w.monthly_spend);
  return {{"budget_limit", w.budget_limit ? json(*w.budget_limit) : json(nullptr)},
          {"monthly_spend", w.monthly_spend},
          {"budget_remaining", remaining}};
}

Response get(Services& svc, const Request& req) {
  auto loaded = svc.workspaces.findLive(req.param("id"));
  if (!loaded) return Response::fromError(loaded.error());
  return Response::json(200, budgetJson(*loaded));
}

Response set(Services& svc, const Request& req) {
  auto loaded = svc.workspaces.findLive(req.param("id"));
  if (!loaded) return Response::fromError(loaded.error());
  const json body = parseJsonOr(req.body, json());
  if (!body.is_object() || !body.contains("budget_limit"))
    return Response::error(Errc::invalid_argument, "body must be {\"budget_limit\": <cents >= 0> | null}");
  const json& limit = body["budget_limit"];
  if (!limit.is_null() && (!limit.is_number_integer() || limit.get<std::int64_t>() < 0))
    return Response::error(Errc::invalid_argument, "budget_limit must be an integer >= 0 (USD cents) or null");
  WorkspaceUpdate u;
  u.budget_limit = limit.is_null() ? std::optional<std::int64_t>() : limit.get<std::int64_t>();
  if (auto r = svc.store.updateWorkspace(loaded->id, u); !r) return Response::fromError(r.error());
  auto now = svc.workspaces.findLive(loaded->id);
  if (!now) return Response::fromError(now.error());
  return Response::json(200, budgetJson(*now));
}

}  // namespace

void registerBudgetRoutes(Router& router, Services& svc) {
  router.add("GET", "/workspaces/:id/budget", AuthPolicy::workspace, [&svc](const Request& r) { return get(svc, r); });
  router.add("PATCH", "/workspaces/:id/budget", AuthPolicy::admin, [&svc](const Request& r) { return set(svc, r); });
}

}  // namespace ws
