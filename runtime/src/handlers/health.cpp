// GET /health: the server answers and its database works.

#include "app.h"

namespace ws {

void registerHealthRoutes(Router& router, App& app) {
  router.add("GET", "/health", AuthPolicy::open, [&app](const Request&) {
    auto db = app.store.anyLiveToken();  // a cheap query proves the database answers
    if (!db) return Response::json(503, {{"status", "unavailable"}, {"error", "storage unavailable"}});
    return Response::json(200, {{"status", "ok"}});
  });
}

}  // namespace ws
