// Budgets (runtime-spec 6.3 "Budget"): a monthly limit in USD cents against the spend agents
// report in their heartbeats. The A2A proxy enforces it (402); this file reads and sets it.

#include "../core/json.h"
#include "app.h"

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

Response get(App& app, const Request& req) {
  auto loaded = loadLiveWorkspace(app.store, req.param("id"));
  if (loaded.error) return *loaded.error;
  return Response::json(200, budgetJson(*loaded.workspace));
}

Response set(App& app, const Request& req) {
  auto loaded = loadLiveWorkspace(app.store, req.param("id"));
  if (loaded.error) return *loaded.error;
  const json body = parseJsonOr(req.body, json());
  if (!body.is_object() || !body.contains("budget_limit"))
    return Response::error(400, "body must be {\"budget_limit\": <cents >= 0> | null}");
  const json& limit = body["budget_limit"];
  if (!limit.is_null() && (!limit.is_number_integer() || limit.get<std::int64_t>() < 0))
    return Response::error(400, "budget_limit must be an integer >= 0 (USD cents) or null");
  WorkspaceUpdate u;
  u.budget_limit = limit.is_null() ? std::optional<std::int64_t>() : limit.get<std::int64_t>();
  if (auto r = app.store.updateWorkspace(loaded.workspace->id, u); !r) return Response::fromError(r.error());
  auto now = loadLiveWorkspace(app.store, loaded.workspace->id);
  if (now.error) return *now.error;
  return Response::json(200, budgetJson(*now.workspace));
}

}  // namespace

void registerBudgetRoutes(Router& router, App& app) {
  router.add("GET", "/workspaces/:id/budget", AuthPolicy::workspace, [&app](const Request& r) { return get(app, r); });
  router.add("PATCH", "/workspaces/:id/budget", AuthPolicy::admin, [&app](const Request& r) { return set(app, r); });
}

}  // namespace ws
