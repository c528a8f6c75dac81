// The busy-agent A2A queue's operator route (the reference's AdminQueueHandler):
// POST /admin/a2a-queue/drop-stale?max_age_minutes=N&workspace_id=<id> drops the queued
// requests older than N minutes (default 60), and those that expired, after an incident.
// Requests are queued by the A2A proxy and drained by heartbeats (service/a2a_queue.h).

#include <charconv>

#include "core/util.h"
#include "handlers/routes.h"

namespace ws {
namespace {

Response dropStale(Services& svc, const Request& req) {
  int minutes = static_cast<int>(A2aQueue::kDefaultStaleAge.count());
  if (auto raw = req.queryParam("max_age_minutes")) {
    const auto* end = raw->data() + raw->size();
    auto [ptr, ec] = std::from_chars(raw->data(), end, minutes);
    if (ec != std::errc() || ptr != end || minutes < 1)
      return Response::error(Errc::invalid_argument, "max_age_minutes must be a positive integer");
  }
  const std::string workspace_id = req.queryParam("workspace_id").value_or("");
  if (!workspace_id.empty() && !isUuid(workspace_id)) return Response::error(Errc::invalid_argument, "invalid workspace_id");
  auto dropped = svc.a2a_queue.dropStale(workspace_id, std::chrono::minutes(minutes));
  if (!dropped) return Response::error(Errc::internal, "failed to drop stale items");
  return Response::json(200, {{"dropped", *dropped}});
}

}  // namespace

void registerA2aQueueRoutes(Router& router, Services& svc) {
  router.addBlocking("POST", "/admin/a2a-queue/drop-stale", AuthPolicy::admin,
                     [&svc](const Request& r) { return dropStale(svc, r); });
}

}  // namespace ws
