// The agent registry: register, heartbeat, agent cards, discovery and access checks
// (runtime-spec 5.2 and 6.3 "Registry").

#include <algorithm>
#include <variant>

#include "core/json_input.h"
#include "core/util.h"
#include "handlers/routes.h"
#include "parity/parity.h"
#include "service/hierarchy.h"
#include "service/validation.h"

namespace ws {
namespace {

using nlohmann::json;

constexpr double kDegradeErrorRate = 0.5;
constexpr double kRecoverErrorRate = 0.1;
constexpr std::int64_t kMaxMonthlySpend = 1'000'000'000'000;

Response registerAgent(Services& svc, const Request& req) {
  PARITY_IMPL(ready_detection, docker, "the agent registers; the workspace goes online");
  PARITY_IMPL(ready_detection, swarm, "the agent registers; the workspace goes online");
  PARITY_IMPL(ready_detection, controlplane, "the agent registers; the workspace goes online");
  JsonInput in(req.body);
  auto id = in.string("id");
  auto url = in.string("url");
  auto card = in.object("agent_card");
  if (in.error()) return Response::error(Errc::invalid_argument, *in.error());
  if (!id || !url || !card) return Response::error(Errc::invalid_argument, "id, url and agent_card are required");
  if (!isUuid(*id)) return Response::error(Errc::invalid_argument, "invalid workspace id");
  if (auto denied = svc.auth.tokenGate(req, *id)) return *denied;

  auto found = svc.store.findWorkspace(*id);
  if (!found) return Response::fromError(found.error());
  if (*found && (*found)->status == Status::removed)
    return Response::error(Errc::not_found, "workspace has been removed");
  // For a workspace the platform runs, the URL its backend recorded at start (Docker host
  // port, control-plane private IP) wins over what the agent believes its address is; only a
  // URL we will actually use is validated.
  const bool keep_host_url = *found && !(*found)->url.empty() && !(*found)->external;
  const std::string effective = keep_host_url ? (*found)->url : *url;
  if (!keep_host_url) {
    if (auto ok = validateAgentUrl(*url, svc.a2a.agentUrlPolicy()); !ok) return Response::fromError(ok.error());
  }
  if (!*found) {
    // An agent the platform never created registers itself: adopt it, named by its id.
    Workspace w;
    w.id = *id;
    w.name = *id;
    w.status = Status::online;
    w.external = true;
    w.url = *url;
    w.agent_card = card->dump();
    w.awareness_namespace = "workspace:" + w.id;
    w.created_at = w.updated_at = nowTime();
    w.last_heartbeat_at = w.created_at;  // registering counts as a heartbeat
    WorkspaceService::NewWorkspace adopted{w, {{"url", *url}, {"agent_card", *card}}, {}, {}};
    if (auto ok = svc.workspaces.create({std::move(adopted)}); !ok) return Response::fromError(ok.error());
  } else {
    const auto& w = **found;
    WorkspaceUpdate u;
    u.agent_card = card->dump();
    u.url = effective;
    if (auto ok = svc.store.updateWorkspace(w.id, u); !ok) return Response::fromError(ok.error());
    // Registering counts as a heartbeat: stamped before it is online, so no sweep sees it silent.
    if (auto ok = svc.store.touchHeartbeat(w.id); !ok) return Response::fromError(ok.error());
    auto changed = svc.lifecycle.change(StatusChange::to(Status::online, w.id,
                                                         {{"url", effective}, {"agent_card", *card}, {"recovered_from", toString(w.status)}}));
    if (!changed) return Response::fromError(changed.error());
  }

  json out{{"status", "registered"}};
  auto has = svc.store.hasLiveToken(*id);
  if (!has) return Response::fromError(has.error());
  if (!*has) {  // bootstrap: the first registration of a token-less workspace gets one
    auto token = svc.credentials.issueToken(*id);
    if (!token) return Response::fromError(token.error());
    out["auth_token"] = *token;
  }
  return Response::json(200, out);
}

Response heartbeat(Services& svc, const Request& req) {
  PARITY_IMPL(runtime_wedge_gate, docker, "the agent's heartbeat runtime_state \"wedged\" degrades the workspace, its sample_error the reason");
  PARITY_IMPL(runtime_wedge_gate, swarm, "the agent's heartbeat runtime_state \"wedged\" degrades the workspace, its sample_error the reason");
  PARITY_IMPL(runtime_wedge_gate, controlplane, "the agent's heartbeat runtime_state \"wedged\" degrades the workspace, its sample_error the reason");
  JsonInput in(req.body);
  auto id = in.string("workspace_id");
  HeartbeatUpdate h;
  h.error_rate = in.number("error_rate").value_or(0);
  h.sample_error = in.string("sample_error").value_or("");
  const auto active = in.integer("active_tasks").value_or(0);
  h.uptime_seconds = in.integer("uptime_seconds").value_or(0);
  h.current_task = in.string("current_task").value_or("");
  const auto spend = in.integer("monthly_spend");
  const auto runtime_state = in.string("runtime_state").value_or("");
  const auto metadata = in.object("runtime_metadata");
  if (in.error()) return Response::error(Errc::invalid_argument, *in.error());
  if (!id) return Response::error(Errc::invalid_argument, "workspace_id is required");
  if (!isUuid(*id)) return Response::error(Errc::invalid_argument, "invalid workspace id");
  if (h.error_rate < 0 || h.error_rate > 1) return Response::error(Errc::invalid_argument, "error_rate must be between 0 and 1");
  if (active < 0 || active > 1'000'000) return Response::error(Errc::invalid_argument, "active_tasks out of range");
  if (runtime_state != "" && runtime_state != "wedged")
    return Response::error(Errc::invalid_argument, "runtime_state must be \"\" or \"wedged\"");
  h.active_tasks = static_cast<int>(active);
  if (spend && *spend != 0) h.monthly_spend = std::clamp<std::int64_t>(*spend, 0, kMaxMonthlySpend);
  h.workspace_id = *id;
  if (auto denied = svc.auth.tokenGate(req, *id)) return *denied;

  auto found = svc.store.findWorkspace(*id);
  if (!found) return Response::fromError(found.error());
  if (!*found || (*found)->status == Status::removed) return Response::error(Errc::not_found, "workspace not found");
  const Workspace& before = **found;
  // Stamps last_heartbeat_at, which is what liveness reads on every replica.
  if (auto ok = svc.store.recordHeartbeat(h); !ok) return Response::fromError(ok.error());

  // Agents that manage their own status (capability status_mgmt) are not judged by error rate;
  // those with a native session (capability session) retry busy calls themselves.
  bool self_managed = false;
  std::optional<bool> native_session;  // unsaid: as the last heartbeat that said
  if (metadata && metadata->contains("capabilities") && (*metadata)["capabilities"].is_object()) {
    const auto& caps = (*metadata)["capabilities"];
    self_managed = caps.value("status_mgmt", false) == true;
    native_session = caps.contains("session") && caps["session"] == true;
  }
  Status status = before.status;
  if (status == Status::provisioning || status == Status::offline || status == Status::awaiting_agent) {
    auto changed = svc.lifecycle.change(StatusChange::to(Status::online, *id, {{"recovered_from", toString(status)}}).from({status}));
    if (!changed) return Response::fromError(changed.error());
    if (*changed) status = Status::online;
  }
  // A wedge is the agent's own report (its runtime failed its smoke check), so it counts even
  // for agents that manage their status; the reason travels as sample_error.
  const bool wedged = runtime_state == "wedged";
  if (status == Status::online && (wedged || (!self_managed && h.error_rate >= kDegradeErrorRate))) {
    const json why = wedged ? json{{"runtime_state", "wedged"}, {"sample_error", h.sample_error}}
                            : json{{"error_rate", h.error_rate}, {"sample_error", h.sample_error}};
    auto changed = svc.lifecycle.change(StatusChange::to(Status::degraded, *id, why).from({Status::online}));
    if (!changed) return Response::fromError(changed.error());
  } else if (status == Status::degraded && !wedged && !self_managed && h.error_rate < kRecoverErrorRate) {
    auto changed = svc.lifecycle.change(StatusChange::to(Status::online, *id, {{"recovered_from", "degraded"}}).from({Status::degraded}));
    if (!changed) return Response::fromError(changed.error());
  }
  if (h.current_task != before.current_task)
    svc.events().broadcast("TASK_UPDATED", *id, {{"current_task", h.current_task}, {"active_tasks", h.active_tasks}});
  svc.events().broadcast("WORKSPACE_HEARTBEAT", *id,
                         {{"error_rate", h.error_rate}, {"active_tasks", h.active_tasks}, {"uptime_seconds", h.uptime_seconds}});
  // With room for more work, queued A2A requests go out (on the worker pool).
  svc.a2a_queue.heartbeat(*id, h.active_tasks, before.max_concurrent_tasks, native_session);
  return Response::json(200, {{"status", "ok"}});
}

Response updateCard(Services& svc, const Request& req) {
  JsonInput in(req.body);
  auto id = in.string("workspace_id");
  auto card = in.object("agent_card");
  if (in.error()) return Response::error(Errc::invalid_argument, *in.error());
  if (!id || !card) return Response::error(Errc::invalid_argument, "workspace_id and agent_card are required");
  if (!isUuid(*id)) return Response::error(Errc::invalid_argument, "invalid workspace id");
  if (auto denied = svc.auth.tokenGate(req, *id)) return *denied;
  WorkspaceUpdate u;
  u.agent_card = card->dump();
  auto updated = svc.store.updateWorkspace(*id, u);
  if (!updated) return Response::fromError(updated.error());
  if (!*updated) return Response::error(Errc::not_found, "workspace not found");
  svc.events().record("AGENT_CARD_UPDATED", *id, {{"agent_card", *card}});
  return Response::json(200, {{"status", "updated"}});
}

// The caller named by X-Workspace-ID, authenticated by its own token (when it has one).
// Returns the caller id, or the response to send.
std::variant<std::string, Response> authenticateCaller(Services& svc, const Request& req) {
  auto caller = req.header("x-workspace-id");
  if (!caller || caller->empty()) return Response::error(Errc::invalid_argument, "X-Workspace-ID header is required");
  if (!isUuid(*caller)) return Response::error(Errc::invalid_argument, "invalid X-Workspace-ID");
  if (auto denied = svc.auth.tokenGate(req, *caller)) return *denied;
  return *caller;
}

json peerJson(const Workspace& w) {
  return {{"id", w.id}, {"name", w.name}, {"role", w.role ? json(*w.role) : json(nullptr)},
          {"tier", w.tier}, {"status", toString(w.status)}, {"url", w.url},
          {"parent_id", w.parent_id ? json(*w.parent_id) : json(nullptr)},
          {"agent_card", parseStoredJson(w.agent_card)}};
}

Response discover(Services& svc, const Request& req) {
  auto caller = authenticateCaller(svc, req);
  if (auto* r = std::get_if<Response>(&caller)) return *r;
  auto target = svc.workspaces.findLive(req.param("id"));
  if (!target) return Response::fromError(target.error());
  auto allowed = canCommunicate(svc.store, std::get<std::string>(caller), target->id);
  if (!allowed) return Response::fromError(allowed.error());
  if (!*allowed) return Response::error(Errc::forbidden, "caller may not communicate with this workspace");
  return Response::json(200, peerJson(*target));
}

Response peers(Services& svc, const Request& req) {
  const std::string& id = req.param("id");
  auto self = svc.workspaces.findLive(id);
  if (!self) return Response::fromError(self.error());
  if (auto denied = svc.auth.tokenGate(req, id)) return *denied;
  auto all = svc.store.listWorkspaces();
  if (!all) return Response::fromError(all.error());
  const auto& me = *self;
  json out = json::array();
  for (const auto& w : *all) {
    if (w.id == me.id) continue;
    const bool sibling = w.parent_id == me.parent_id;
    const bool parent = me.parent_id && w.id == *me.parent_id;
    const bool child = w.parent_id && *w.parent_id == me.id;
    if (sibling || parent || child) out.push_back(peerJson(w));
  }
  return Response::json(200, out);
}

Response checkAccess(Services& svc, const Request& req) {
  JsonInput in(req.body);
  auto caller = in.string("caller_id");
  auto target = in.string("target_id");
  if (in.error()) return Response::error(Errc::invalid_argument, *in.error());
  if (!caller || !target) return Response::error(Errc::invalid_argument, "caller_id and target_id are required");
  if (!isUuid(*caller) || !isUuid(*target)) return Response::error(Errc::invalid_argument, "caller_id and target_id must be UUIDs");
  auto allowed = canCommunicate(svc.store, *caller, *target);
  if (!allowed) return Response::fromError(allowed.error());
  return Response::json(200, {{"allowed", *allowed}});
}

}  // namespace

void registerRegistryRoutes(Router& router, Services& svc) {
  router.addBlocking("POST", "/registry/register", AuthPolicy::open, [&svc](const Request& r) { return registerAgent(svc, r); });
  router.add("POST", "/registry/heartbeat", AuthPolicy::open, [&svc](const Request& r) { return heartbeat(svc, r); });
  router.add("POST", "/registry/update-card", AuthPolicy::open, [&svc](const Request& r) { return updateCard(svc, r); });
  router.add("GET", "/registry/discover/:id", AuthPolicy::open, [&svc](const Request& r) { return discover(svc, r); });
  router.add("GET", "/registry/:id/peers", AuthPolicy::open, [&svc](const Request& r) { return peers(svc, r); });
  router.add("POST", "/registry/check-access", AuthPolicy::open, [&svc](const Request& r) { return checkAccess(svc, r); });
}

}  // namespace ws
