// The A2A proxy (runtime-spec 6.3 "A2A proxy"): POST /workspaces/:id/a2a forwards a JSON-RPC
// request to the target workspace's agent, after the caller, access and budget checks. The
// agent is reached at the address its backend recorded, so both backends serve it alike; the
// call itself runs on the server's worker pool (Response::later), never on an I/O thread.

#include <spdlog/spdlog.h>

#include "../core/http_client.h"
#include "../core/json.h"
#include "../core/util.h"
#include "app.h"
#include "parity/parity.h"
#include "validation.h"

namespace ws {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

constexpr auto kDefaultTimeout = 300s;
constexpr auto kMaxTimeout = 1800s;

/// The calling workspace (nullopt for the canvas) once it has proven who it is, or the
/// response to send.
std::variant<std::optional<Workspace>, Response> authenticateCaller(App& app, const Request& req, const Workspace& target) {
  const std::string caller = req.header("x-workspace-id").value_or("");
  for (const char* reserved : {"webhook:", "system:", "test:", "channel:"})
    if (caller.rfind(reserved, 0) == 0) return Response::error(403, "invalid caller ID");
  if (caller.empty()) {  // the canvas: the target's own credentials (or the admin token)
    if (auto denied = app.auth.check(AuthPolicy::workspace, req)) return *denied;
    return std::optional<Workspace>();
  }
  if (!isUuid(caller)) return Response::error(400, "invalid X-Workspace-ID");
  auto from = loadLiveWorkspace(app.store, caller);
  if (from.error) return from.error->status == 404 ? Response::error(403, "unknown caller workspace") : *from.error;
  if (caller != target.id)
    if (auto denied = app.auth.tokenGate(req, caller)) return Response::error(401, "missing/invalid caller auth token");
  auto allowed = canCommunicate(app.store, caller, target.id);
  if (!allowed) return Response::fromError(allowed.error());
  if (!*allowed) return Response::error(403, "caller may not communicate with this workspace");
  return from.workspace;
}

/// Tells the target who is talking (runtime-spec: channel envelope enrichment): the caller's
/// id, name and role, and where its agent card is.
void addEnvelope(json& rpc, const Workspace& caller, const std::string& platform_url) {
  PARITY_IMPL(a2a_envelope_enrichment, docker, "params.message.metadata gets peer_id, peer_name, peer_role, agent_card_url");
  PARITY_IMPL(a2a_envelope_enrichment, ec2, "params.message.metadata gets peer_id, peer_name, peer_role, agent_card_url");
  if (!rpc.contains("params") || !rpc["params"].is_object() || !rpc["params"].contains("message") ||
      !rpc["params"]["message"].is_object())
    return;
  json& metadata = rpc["params"]["message"]["metadata"];
  if (!metadata.is_object()) metadata = json::object();
  metadata["peer_id"] = caller.id;
  metadata["peer_name"] = caller.name;
  metadata["peer_role"] = caller.role ? json(*caller.role) : json(nullptr);
  metadata["agent_card_url"] = platform_url + "/registry/discover/" + caller.id;
}

/// JSON-RPC 2.0 as agents expect it: wrapped when `jsonrpc` is missing, with a messageId.
json normalize(json body) {
  if (!body.contains("jsonrpc"))
    body = {{"jsonrpc", "2.0"}, {"id", newUuid()}, {"method", body.value("method", "message/send")},
            {"params", body.value("params", json::object())}};
  if (body.contains("params") && body["params"].is_object() && body["params"].contains("message") &&
      body["params"]["message"].is_object() && !body["params"]["message"].contains("messageId"))
    body["params"]["message"]["messageId"] = newUuid();
  return body;
}

// POSTs `rpc` to the agent. Addresses recorded by a backend are ours; an external agent's URL
// is checked like any URL, at every delivery (its name may resolve elsewhere by now), and the
// call goes to the addresses that passed.
Result<HttpReply> post(App& app, const Workspace& target, const json& rpc, std::chrono::seconds timeout) {
  const UrlPolicy policy = target.external ? app.agentUrlPolicy() : UrlPolicy{true, true};
  auto endpoint = resolveAgentUrl(target.url, policy);
  if (!endpoint) return makeError(Errc::forbidden, "workspace URL refused: " + endpoint.error().message);
  if (endpoint->https) return makeError(Errc::unsupported, "https agent URLs are not supported yet");
  HttpCall call{.peer = "agent", .method = "POST", .host = endpoint->host, .port = endpoint->port, .target = endpoint->target};
  call.addresses = std::move(endpoint->addresses);
  call.body = rpc.dump();
  call.timeout = timeout;
  return httpExchange(call);
}

Response deliver(App& app, const Workspace& target, const std::string& caller, const json& rpc,
                 std::chrono::seconds timeout) {
  const auto t0 = std::chrono::steady_clock::now();
  auto reply = post(app, target, rpc, timeout);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();

  ActivityRecord a;
  a.workspace_id = target.id;
  a.activity_type = "a2a_receive";
  a.method = rpc.value("method", "");
  a.summary = "A2A " + a.method + (caller.empty() ? " from the canvas" : " from " + caller);
  if (!caller.empty()) a.source_id = caller;
  a.target_id = target.id;
  a.request_body = rpc.dump();
  a.duration_ms = ms;
  a.created_at = nowTime();

  Response res;
  if (!reply) {
    a.status = reply.error().code == Errc::timeout ? "timeout" : "error";
    a.error_detail = reply.error().message;
    // Reactive liveness: a workload that is gone goes offline and is restarted.
    const auto live = target.external ? Liveness{true, std::nullopt} : app.workspaces.isRunningAuto(target.id);
    if (reply.error().code == Errc::forbidden || reply.error().code == Errc::unsupported) {
      res = Response::error(502, reply.error().message);
    } else if (!live.error && !live.running) {
      markDeadAndRestart(app, target.id, "A2A delivery found the workload gone");
      res = Response::json(503, {{"error", "workspace agent is not running; restarting it"}, {"restarting", true}});
    } else if (reply.error().code == Errc::timeout) {
      res = Response::json(503, {{"error", "workspace agent is busy"}, {"busy", true}, {"retry_after", 30}});
      res.headers.emplace_back("Retry-After", "30");
    } else {
      res = Response::error(502, "failed to reach workspace agent");
    }
  } else if (reply->status >= 200 && reply->status < 300) {
    a.response_body = parseJson(reply->body) ? reply->body : json(reply->body).dump();
    res.status = reply->status;
    res.body = reply->body;
  } else {
    const json agent = parseJsonOr(reply->body, json());
    const std::string why = agent.is_object() && agent.contains("error") && agent["error"].is_string()
                                ? agent["error"].get<std::string>()
                                : "agent answered " + std::to_string(reply->status);
    a.status = "error";
    a.error_detail = why;
    res = Response::error(reply->status, why);
  }
  if (auto logged = app.store.insertActivity(a); !logged)
    spdlog::warn("a2a: cannot log activity for {}: {}", target.id, logged.error().message);
  if (caller.empty())
    app.events().broadcast("A2A_RESPONSE", target.id, {{"status", res.status}, {"duration_ms", ms}});
  return res;
}

Response proxy(App& app, const Request& req) {
  PARITY_IMPL(a2a_forward, docker, "POST to the agent at the address the Docker backend recorded (127.0.0.1:<port>)");
  PARITY_IMPL(a2a_forward, ec2, "POST to the agent at the address the control plane reported (the instance's private IP)");
  PARITY_IMPL(budget_enforcement, docker, "402 once the spend agents report reaches budget_limit");
  PARITY_IMPL(budget_enforcement, ec2, "402 once the spend agents report reaches budget_limit");
  auto loaded = loadLiveWorkspace(app.store, req.param("id"));
  if (loaded.error) return *loaded.error;
  const Workspace target = *loaded.workspace;
  auto authenticated = authenticateCaller(app, req, target);
  if (auto* r = std::get_if<Response>(&authenticated)) return *r;
  const auto& from = std::get<std::optional<Workspace>>(authenticated);
  const std::string caller = from ? from->id : std::string();

  auto parsed = parseJson(req.body);
  if (!parsed) return Response::error(400, parsed.error().message);
  if (!parsed->is_object()) return Response::error(400, "the body must be a JSON object");
  json body = std::move(*parsed);
  std::chrono::seconds timeout = kDefaultTimeout;
  if (auto t = req.header("x-timeout")) {
    try {
      const long seconds = std::stol(*t);
      if (seconds > 0) timeout = std::min<std::chrono::seconds>(std::chrono::seconds(seconds), kMaxTimeout);
    } catch (const std::exception&) {
      return Response::error(400, "X-Timeout must be a number of seconds");
    }
  }
  if (target.budget_limit && target.monthly_spend >= *target.budget_limit)
    return Response::error(402, "workspace budget limit exceeded");
  if (target.url.empty()) {
    if (target.status == Status::hibernated) {
      app.workspaces.restartInBackground(target.id);
      auto r = Response::json(503, {{"error", "workspace is hibernated; waking it"}, {"waking", true}, {"retry_after", 15}});
      r.headers.emplace_back("Retry-After", "15");
      return r;
    }
    return Response::json(503, {{"error", "workspace has no URL"}, {"status", toString(target.status)}});
  }
  json rpc = normalize(std::move(body));
  if (from) addEnvelope(rpc, *from, app.config.platform_url);
  return Response::later([&app, target, caller, rpc = std::move(rpc), timeout] { return deliver(app, target, caller, rpc, timeout); });
}

}  // namespace

Response sendA2a(App& app, const Workspace& target, nlohmann::json rpc, std::chrono::seconds timeout) {
  if (target.url.empty()) return Response::json(503, {{"error", "workspace has no URL"}, {"status", toString(target.status)}});
  return deliver(app, target, "", normalize(std::move(rpc)), timeout);
}

void registerA2aRoutes(Router& router, App& app) {
  // Open at the router: the handler authenticates the caller (runtime-spec: X-Workspace-ID + token).
  router.add("POST", "/workspaces/:id/a2a", AuthPolicy::open, [&app](const Request& r) { return proxy(app, r); });
}

}  // namespace ws
