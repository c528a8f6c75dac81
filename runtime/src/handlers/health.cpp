// GET /health: the server answers and its database works.

#include "handlers/routes.h"

namespace ws {

void registerHealthRoutes(Router& router, Services& svc) {
  router.add("GET", "/health", AuthPolicy::open, [&svc](const Request&) {
    auto db = svc.store.anyLiveToken();  // a cheap query proves the database answers
    if (!db) return Response::json(503, {{"status", "unavailable"}, {"error", "storage unavailable"}});
    return Response::json(200, {{"status", "ok"}});
  });
}

}  // namespace ws
