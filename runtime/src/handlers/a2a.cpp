// The A2A proxy (runtime-spec 6.3 "A2A proxy"): POST /workspaces/:id/a2a forwards a JSON-RPC
// request to the target workspace's agent, after the caller, access and budget checks. The
// agent is reached at the address its backend recorded, so both backends serve it alike; the
// call goes out without blocking on the request's I/O thread (keep-alive connections per
// thread), or on the worker pool when an agent's host name must be looked up.

#include <spdlog/spdlog.h>

#include "core/json.h"
#include "core/util.h"
#include "handlers/routes.h"
#include "parity/parity.h"
#include "service/hierarchy.h"

namespace ws {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

constexpr auto kDefaultTimeout = 300s;
constexpr auto kMaxTimeout = 1800s;

Response render(const A2aReply& reply) {
  Response r;
  r.status = reply.status;
  r.body = reply.body;
  if (reply.retry_after > 0) r.headers.emplace_back("Retry-After", std::to_string(reply.retry_after));
  return r;
}

/// The calling workspace (nullopt for the canvas) once it has proven who it is, or the
/// response to send.
std::variant<std::optional<Workspace>, Response> authenticateCaller(Services& svc, const Request& req, const Workspace& target) {
  const std::string caller = req.header("x-workspace-id").value_or("");
  for (const char* reserved : {"webhook:", "system:", "test:", "channel:"})
    if (caller.rfind(reserved, 0) == 0) return Response::error(Errc::forbidden, "invalid caller ID");
  if (caller.empty()) {  // the canvas: the target's own credentials (or the admin token)
    if (auto denied = svc.auth.check(AuthPolicy::workspace, req)) return *denied;
    return std::optional<Workspace>();
  }
  if (!isUuid(caller)) return Response::error(Errc::invalid_argument, "invalid X-Workspace-ID");
  auto from = svc.workspaces.findLive(caller);
  if (!from) return from.error().code == Errc::not_found ? Response::error(Errc::forbidden, "unknown caller workspace") : Response::fromError(from.error());
  // Also for a workspace calling itself: an id is no secret, so naming the target as the caller
  // must not stand in for its token.
  if (auto denied = svc.auth.tokenGate(req, caller)) return Response::error(Errc::unauthorized, "missing/invalid caller auth token");
  auto allowed = canCommunicate(svc.store, caller, target.id);
  if (!allowed) return Response::fromError(allowed.error());
  if (!*allowed) return Response::error(Errc::forbidden, "caller may not communicate with this workspace");
  return std::optional<Workspace>(std::move(*from));
}

Response proxy(Services& svc, const Request& req) {
  PARITY_IMPL(a2a_forward, docker, "POST to the agent at the address the Docker backend recorded (127.0.0.1:<port>)");
  PARITY_IMPL(a2a_forward, swarm, "POST to the agent at the address the Swarm backend recorded (127.0.0.1:<port>, host network)");
  PARITY_IMPL(a2a_forward, controlplane, "POST to the agent at the address the control plane reported (the instance's private IP)");
  PARITY_IMPL(budget_enforcement, docker, "402 once the spend agents report reaches budget_limit");
  PARITY_IMPL(budget_enforcement, swarm, "402 once the spend agents report reaches budget_limit");
  PARITY_IMPL(budget_enforcement, controlplane, "402 once the spend agents report reaches budget_limit");
  auto loaded = svc.workspaces.findLive(req.param("id"));
  if (!loaded) return Response::fromError(loaded.error());
  Workspace target = std::move(*loaded);
  auto authenticated = authenticateCaller(svc, req, target);
  if (auto* r = std::get_if<Response>(&authenticated)) return *r;
  const auto& from = std::get<std::optional<Workspace>>(authenticated);
  const std::string caller = from ? from->id : std::string();

  // A canvas request that is already normal JSON-RPC goes out byte for byte, as a plain proxy
  // would send it; anything else is parsed, normalized and, from a workspace, enriched.
  std::optional<OutgoingRpc> rpc = from ? std::nullopt : OutgoingRpc::asIs(req.body);
  if (!rpc) {
    auto parsed = parseJson(req.body);
    if (!parsed) return Response::error(Errc::invalid_argument, parsed.error().message);
    if (!parsed->is_object()) return Response::error(Errc::invalid_argument, "the body must be a JSON object");
    json body = A2aDelivery::normalize(std::move(*parsed));
    if (from) svc.a2a.addEnvelope(body, *from);
    rpc = OutgoingRpc::of(body);
  }
  std::chrono::seconds timeout = kDefaultTimeout;
  if (auto t = req.header("x-timeout")) {
    try {
      const long seconds = std::stol(*t);
      if (seconds > 0) timeout = std::min<std::chrono::seconds>(std::chrono::seconds(seconds), kMaxTimeout);
    } catch (const std::exception&) {
      return Response::error(Errc::invalid_argument, "X-Timeout must be a number of seconds");
    }
  }
  if (target.budget_limit && target.monthly_spend >= *target.budget_limit)
    return Response::error(Errc::payment_required, "workspace budget limit exceeded");
  if (target.url.empty()) {
    if (target.status == Status::hibernated) {
      svc.workspaces.wakeInBackground(target.id);
      auto r = Response::json(503, {{"error", "workspace is hibernated; waking it"}, {"waking", true}, {"retry_after", 15}});
      r.headers.emplace_back("Retry-After", "15");
      return r;
    }
    return render(noAgentAddress(target));
  }
  if (svc.a2a.deliversWithoutBlocking(target))
    return Response::async([&svc, target = std::move(target), caller, rpc = std::move(*rpc), timeout](std::function<void(Response)> done) mutable {
      svc.a2a.deliverAsync(target, caller, std::move(rpc), timeout, [done = std::move(done)](A2aReply reply) { done(render(reply)); });
    });
  // An agent URL with a host name: the lookup blocks, so the whole delivery goes to a worker.
  return Response::later([&svc, target = std::move(target), caller, rpc = std::move(*rpc), timeout] {
    return render(svc.a2a.deliver(target, caller, rpc, timeout));
  });
}

}  // namespace

void registerA2aRoutes(Router& router, Services& svc) {
  // Open at the router: the handler authenticates the caller (runtime-spec: X-Workspace-ID + token).
  router.add("POST", "/workspaces/:id/a2a", AuthPolicy::open, [&svc](const Request& r) { return proxy(svc, r); });
}

}  // namespace ws
