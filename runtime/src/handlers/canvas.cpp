// The canvas's shared viewport (runtime-spec 6.3 "Canvas"): where the canvas was last looking.
// Reading is open; saving takes the canvas gate, since a forged save is only cosmetic.

#include <cmath>

#include "core/json_input.h"
#include "core/util.h"
#include "handlers/routes.h"

namespace ws {
namespace {

Response get(Services& svc) {
  auto saved = svc.store.viewport();
  if (!saved) return Response::fromError(saved.error());
  const Viewport v = saved->value_or(Viewport{});
  return Response::json(200, {{"x", v.x}, {"y", v.y}, {"zoom", v.zoom}});
}

Response save(Services& svc, const Request& req) {
  JsonInput in(req.body);
  const auto x = in.number("x");
  const auto y = in.number("y");
  const auto zoom = in.number("zoom");
  if (in.error()) return Response::error(Errc::invalid_argument, *in.error());
  if (!x || !y || !zoom) return Response::error(Errc::invalid_argument, "x, y and zoom are required");
  // nlohmann reads 1e999 as infinity: JSON itself cannot say "not finite", the parser can.
  if (!std::isfinite(*x) || !std::isfinite(*y) || !std::isfinite(*zoom))
    return Response::error(Errc::invalid_argument, "x, y and zoom must be finite numbers");
  if (*zoom <= 0) return Response::error(Errc::invalid_argument, "zoom must be greater than 0");
  if (auto ok = svc.store.saveViewport(Viewport{*x, *y, *zoom, nowTime()}); !ok) return Response::fromError(ok.error());
  return Response::json(200, {{"status", "saved"}});
}

}  // namespace

void registerCanvasRoutes(Router& router, Services& svc) {
  router.add("GET", "/canvas/viewport", AuthPolicy::open, [&svc](const Request&) { return get(svc); });
  router.add("PUT", "/canvas/viewport", AuthPolicy::canvas, [&svc](const Request& r) { return save(svc, r); });
}

}  // namespace ws
