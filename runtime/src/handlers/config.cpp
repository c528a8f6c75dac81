// A workspace's config document (runtime-spec 6.3 "Config"): a JSON object the canvas keeps.
// PATCH sets top-level keys; neither route touches the workload or restarts it.

#include "handlers/routes.h"

namespace ws {
namespace {

Response get(Services& svc, const Request& req) {
  auto loaded = svc.workspaces.findLive(req.param("id"));
  if (!loaded) return Response::fromError(loaded.error());
  auto doc = svc.configs.get(loaded->id);
  if (!doc) return Response::fromError(doc.error());
  return Response::json(200, {{"data", std::move(*doc)}});
}

Response patch(Services& svc, const Request& req) {
  auto loaded = svc.workspaces.findLive(req.param("id"));
  if (!loaded) return Response::fromError(loaded.error());
  if (auto ok = svc.configs.patch(loaded->id, req.body); !ok) return Response::fromError(ok.error());
  return Response::json(200, {{"status", "updated"}});
}

}  // namespace

void registerConfigRoutes(Router& router, Services& svc) {
  router.add("GET", "/workspaces/:id/config", AuthPolicy::workspace, [&svc](const Request& r) { return get(svc, r); });
  router.add("PATCH", "/workspaces/:id/config", AuthPolicy::workspace, [&svc](const Request& r) { return patch(svc, r); });
}

}  // namespace ws
