// Restart, pause, resume, hibernate and the unified boot log (runtime-spec 4.4), all through
// the dispatchers on WorkspaceService.

#include <spdlog/spdlog.h>

#include "core/json_input.h"
#include "core/util.h"
#include "handlers/routes.h"

namespace ws {
namespace {

using nlohmann::json;

// The nearest paused ancestor, if any (bounded against corrupt cycles).
Result<std::optional<Workspace>> pausedAncestor(Store& store, const Workspace& w) {
  std::optional<std::string> up = w.parent_id;
  for (int depth = 0; up && depth < 64; ++depth) {
    auto p = store.findWorkspace(*up);
    if (!p) return p.error();
    if (!*p) break;
    if ((*p)->status == Status::paused) return *p;
    up = (*p)->parent_id;
  }
  return std::optional<Workspace>();
}

std::optional<Response> refuseUnderPausedParent(Services& svc, const Workspace& w) {
  auto paused = pausedAncestor(svc.store, w);
  if (!paused) return Response::fromError(paused.error());
  if (*paused) return Response::error(409, "parent workspace \"" + (*paused)->name + "\" is paused — resume it first");
  return std::nullopt;
}

Response restart(Services& svc, const Request& req) {
  auto loaded = svc.workspaces.findManaged(req.param("id"));
  if (!loaded) return Response::fromError(loaded.error());
  JsonInput in(req.body);
  const bool reset = in.boolean("reset").value_or(req.queryParam("reset").value_or("") == "true");
  if (in.error()) return Response::error(400, *in.error());
  const auto& w = *loaded;
  if (auto refused = refuseUnderPausedParent(svc, w)) return *refused;
  if (!svc.workspaces.hasProvisioner()) return Response::error(503, "no workspace backend is configured");
  auto changed = svc.lifecycle.change(StatusChange::to(Status::provisioning, w.id, {{"name", w.name}, {"reason", "restart"}}).withUrl(""));
  if (!changed) return Response::fromError(changed.error());
  svc.liveness.forget(w.id);
  // The runtime and the rest of the config come from the database row, on every backend.
  if (auto r = svc.workspaces.restartWorkspaceAuto(w); !r) return Response::fromError(r.error());
  return Response::json(200, {{"status", "provisioning"}, {"reset_session", reset}});
}

Response pause(Services& svc, const Request& req) {
  auto loaded = svc.workspaces.findLive(req.param("id"));
  if (!loaded) return Response::fromError(loaded.error());
  const auto& w = *loaded;
  if (w.status == Status::paused) return Response::error(404, "workspace is already paused");
  auto below = svc.store.descendants(w.id);
  if (!below) return Response::fromError(below.error());
  std::vector<WorkspaceRef> targets{{w.id, w.name}};
  targets.insert(targets.end(), below->begin(), below->end());
  int paused = 0;
  std::vector<std::string> failures;
  for (const auto& t : targets) {
    if (auto stopped = svc.workspaces.pauseWorkspaceAuto(t.id); !stopped) {
      failures.push_back(t.id + ": " + stopped.error().message);
      continue;
    }
    svc.liveness.forget(t.id);
    auto changed = svc.lifecycle.change(StatusChange::to(Status::paused, t.id, {{"name", t.name}}).withUrl(""));
    if (changed && *changed) ++paused;
  }
  if (!failures.empty())
    return Response::json(500, {{"error", "pause incomplete, please retry: " + failures.front()}, {"paused_count", paused}});
  return Response::json(200, {{"status", "paused"}, {"paused_count", paused}});
}

Response resume(Services& svc, const Request& req) {
  auto loaded = svc.workspaces.findLive(req.param("id"));
  if (!loaded) return Response::fromError(loaded.error());
  const auto& w = *loaded;
  if (w.status != Status::paused) return Response::error(404, "workspace is not paused");
  if (auto refused = refuseUnderPausedParent(svc, w)) return *refused;
  if (!svc.workspaces.hasProvisioner()) return Response::error(503, "no workspace backend is configured");
  auto below = svc.store.descendants(w.id);
  if (!below) return Response::fromError(below.error());
  std::vector<std::string> ids{w.id};
  for (const auto& d : *below) ids.push_back(d.id);
  int resumed = 0;
  for (const auto& id : ids) {
    auto row = svc.store.findWorkspace(id);
    if (!row || !*row || (*row)->status != Status::paused) continue;
    auto changed = svc.lifecycle.change(StatusChange::to(Status::provisioning, id, {{"name", (*row)->name}, {"reason", "resume"}}).from({Status::paused}));
    if (!changed || !*changed) continue;
    if ((*row)->external) continue;  // an external agent comes back by registering
    if (auto r = svc.workspaces.resumeWorkspaceAuto(**row); !r) return Response::fromError(r.error());
    ++resumed;
  }
  return Response::json(200, {{"status", "provisioning"}, {"resumed_count", resumed}});
}

Response hibernate(Services& svc, const Request& req) {
  auto loaded = svc.workspaces.findLive(req.param("id"));
  if (!loaded) return Response::fromError(loaded.error());
  const auto& w = *loaded;
  if (!isServing(w.status))
    return Response::error(404, "only an online or degraded workspace can hibernate");
  if (w.active_tasks > 0 && req.queryParam("force").value_or("") != "true")
    return Response::json(409, {{"error", "workspace has active tasks; use ?force=true"}, {"active_tasks", w.active_tasks}});
  auto claimed = svc.lifecycle.change(StatusChange::to(Status::hibernating, w.id));
  if (!claimed) return Response::fromError(claimed.error());
  if (!*claimed) return Response::error(409, "workspace changed state; try again");
  svc.liveness.forget(w.id);
  if (auto r = svc.workspaces.hibernateWorkspaceAuto(w.id); !r) {
    (void)svc.lifecycle.change(StatusChange::to(Status::online, w.id, {{"reason", "hibernate failed"}}).from({Status::hibernating}));
    return Response::fromError(r.error());
  }
  auto done = svc.lifecycle.change(StatusChange::to(Status::hibernated, w.id).from({Status::hibernating}).withUrl(""));
  if (!done) return Response::fromError(done.error());
  return Response::json(200, {{"status", "hibernated"}});
}

Response bootLog(Services& svc, const Request& req) {
  auto loaded = svc.workspaces.findManaged(req.param("id"));
  if (!loaded) return Response::fromError(loaded.error());
  auto log = svc.workspaces.bootLogAuto(loaded->id);
  if (!log) return Response::fromError(log.error());
  return Response::json(200, {{"workspace_id", loaded->id}, {"backend", svc.workspaces.backendName()}, {"output", *log}});
}

std::variant<Response, std::shared_ptr<Terminal>> terminal(Services& svc, const Request& req) {
  auto loaded = svc.workspaces.findManaged(req.param("id"));
  if (!loaded) return Response::fromError(loaded.error());
  auto term = svc.workspaces.openTerminalAuto(loaded->id);
  if (!term) return Response::fromError(term.error());
  return std::shared_ptr<Terminal>(*term);
}

}  // namespace

void registerLifecycleRoutes(Router& router, Services& svc) {
  router.addTerminal("/workspaces/:id/terminal", AuthPolicy::workspace, [&svc](const Request& r) { return terminal(svc, r); });
  router.addBlocking("POST", "/workspaces/:id/restart", AuthPolicy::workspace, [&svc](const Request& r) { return restart(svc, r); });
  router.addBlocking("POST", "/workspaces/:id/pause", AuthPolicy::workspace, [&svc](const Request& r) { return pause(svc, r); });
  router.addBlocking("POST", "/workspaces/:id/resume", AuthPolicy::workspace, [&svc](const Request& r) { return resume(svc, r); });
  router.addBlocking("POST", "/workspaces/:id/hibernate", AuthPolicy::workspace, [&svc](const Request& r) { return hibernate(svc, r); });
  router.addBlocking("GET", "/workspaces/:id/boot-log", AuthPolicy::workspace, [&svc](const Request& r) { return bootLog(svc, r); });
}

}  // namespace ws
