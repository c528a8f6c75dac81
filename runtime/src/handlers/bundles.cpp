// Bundles (runtime-spec 6.2 "Bundles/org"): a workspace tree exported as one JSON document and
// imported anew (service/bundles.h). Both are the operator's: Admin.

#include "core/json.h"
#include "handlers/routes.h"
#include "service/bundles.h"

namespace ws {
namespace {

Bundles bundles(Services& svc) { return Bundles(svc.store, svc.workspaces, svc.config); }

Response exportBundle(Services& svc, const Request& req) {
  auto b = bundles(svc).exportTree(req.param("id"));
  // The reference's clients match this text for an unknown workspace.
  if (!b) return b.error().code == Errc::not_found ? Response::error(Errc::not_found, "bundle not found") : Response::fromError(b.error());
  return Response::json(200, *b);
}

Response importBundle(Services& svc, const Request& req) {
  auto invalid = [](const std::string& detail) {
    return Response::json(400, {{"error", "invalid bundle"}, {"detail", detail}});
  };
  auto body = parseJson(req.body, JsonLimits{64, BundleLimits::kMaxBundleBytes});
  if (!body) return invalid(body.error().message);
  if (!body->is_object()) return invalid("a bundle is a JSON object");
  auto imported = bundles(svc).importTree(*body);
  if (!imported) return imported.error().code == Errc::invalid_argument ? invalid(imported.error().message) : Response::fromError(imported.error());
  return Response::json(201, *imported);
}

}  // namespace

void registerBundleRoutes(Router& router, Services& svc) {
  // Export reads each running workspace's /configs through the backend: off the I/O threads.
  router.addBlocking("GET", "/bundles/export/:id", AuthPolicy::admin, [&svc](const Request& r) { return exportBundle(svc, r); });
  router.addBlocking("POST", "/bundles/import", AuthPolicy::admin, [&svc](const Request& r) { return importBundle(svc, r); });
  router.setBodyLimit("POST", "/bundles/import", BundleLimits::kMaxBundleBytes);
}

}  // namespace ws
