// Observability (runtime-spec "Health/ops", "Metrics"): GET /metrics for Prometheus, GET
// /admin/liveness (when each background loop last went round) and a workspace's LLM token usage,
// GET /workspaces/:id/metrics.

#include <fmt/format.h>

#include <array>
#include <map>
#include <variant>

#include "core/util.h"
#include "handlers/routes.h"
#include "service/token_usage.h"

namespace ws {
namespace {

using nlohmann::json;

constexpr std::array kLiveStatuses{Status::provisioning, Status::online,      Status::offline,
                                   Status::degraded,     Status::failed,      Status::paused,
                                   Status::hibernating,  Status::hibernated,  Status::awaiting_agent};

// The gauges of the current state, read at each scrape: workspaces, stream clients and the
// busy-agent queue.
std::variant<std::vector<Metrics::Gauge>, Response> stateGauges(Services& svc) {
  auto counts = svc.store.countWorkspaces();
  if (!counts) return Response::fromError(counts.error());
  const std::string backend = svc.workspaces.backendName();
  std::map<std::pair<std::string, std::string>, double> by_label;
  for (Status s : kLiveStatuses) by_label[{std::string(toString(s)), backend}] = 0;  // every status, even when empty
  for (const auto& c : *counts) by_label[{std::string(toString(c.status)), c.external ? "external" : backend}] += double(c.count);
  Metrics::Gauge workspaces{"molecule_workspaces",
                            "Workspaces not removed, by status and backend (external: agents that run elsewhere)", {}};
  for (const auto& [labels, n] : by_label) workspaces.samples.push_back({{{"status", labels.first}, {"backend", labels.second}}, n});

  const auto sockets = double(svc.live.clients(LiveWire::message));
  const auto sse = double(svc.live.clients(LiveWire::envelope));
  Metrics::Gauge streams{"molecule_event_stream_clients", "Clients connected to the live events, by transport (/ws, SSE)",
                         {{{{"transport", "websocket"}}, sockets}, {{{"transport", "sse"}}, sse}}};
  Metrics::Gauge reference{"molecule_websocket_connections_active", "Clients connected to the /ws event hub",
                           {{{}, sockets}}};
  auto queued = svc.a2a_queue.depth();
  if (!queued) return Response::fromError(queued.error());
  Metrics::Gauge queue{"molecule_a2a_queue_depth", "A2A requests queued for busy agents, waiting for a heartbeat with room",
                       {{{}, double(*queued)}}};
  return std::vector<Metrics::Gauge>{std::move(workspaces), std::move(streams), std::move(reference), std::move(queue)};
}

Response scrape(Services& svc) {
  auto gauges = stateGauges(svc);
  if (auto* r = std::get_if<Response>(&gauges)) return *r;
  Response r;
  r.content_type = "text/plain; version=0.0.4; charset=utf-8";
  r.body = svc.metrics.render(std::get<std::vector<Metrics::Gauge>>(gauges));
  return r;
}

Response liveness(Services& svc) {
  const auto now = Clock::now();
  json subsystems = json::object();
  for (const auto& [name, last] : svc.ticks.snapshot())
    subsystems[name] = {{"last_tick_at", formatTime(last)},
                        {"seconds_ago", std::chrono::duration_cast<std::chrono::seconds>(now - last).count()}};
  return Response::json(200, {{"subsystems", subsystems}});
}

// Today's (UTC) token usage, in the reference's shape: the cost as a string with six decimals.
Response tokenUsage(Services& svc, const Request& req) {
  auto loaded = svc.workspaces.findLive(req.param("id"));
  if (!loaded) return Response::fromError(loaded.error());
  const auto day = usageDay(Clock::now());
  auto usage = svc.store.tokenUsage(loaded->id, day.start);
  if (!usage) return Response::fromError(usage.error());
  const auto micros = usage->estimated_cost_micros;
  return Response::json(200, {{"input_tokens", usage->input_tokens},
                              {"output_tokens", usage->output_tokens},
                              {"total_calls", usage->call_count},
                              {"estimated_cost_usd", fmt::format("{}.{:06d}", micros / 1'000'000, micros % 1'000'000)},
                              {"period_start", day.start},
                              {"period_end", day.end}});
}

}  // namespace

void registerObservabilityRoutes(Router& router, Services& svc) {
  router.add("GET", "/metrics", AuthPolicy::open, [&svc](const Request&) { return scrape(svc); });
  router.add("GET", "/admin/liveness", AuthPolicy::admin, [&svc](const Request&) { return liveness(svc); });
  router.add("GET", "/workspaces/:id/metrics", AuthPolicy::workspace, [&svc](const Request& r) { return tokenUsage(svc, r); });
}

}  // namespace ws
