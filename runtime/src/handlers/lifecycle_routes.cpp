// Restart, pause, resume, hibernate and the unified boot log (runtime-spec 4.4), all through
// the dispatchers on WorkspaceHandler.

#include <spdlog/spdlog.h>

#include "../core/util.h"
#include "app.h"
#include "json_input.h"

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

std::optional<Response> refuseUnderPausedParent(App& app, const Workspace& w) {
  auto paused = pausedAncestor(app.store, w);
  if (!paused) return Response::fromError(paused.error());
  if (*paused) return Response::error(409, "parent workspace \"" + (*paused)->name + "\" is paused — resume it first");
  return std::nullopt;
}

Response restart(App& app, const Request& req) {
  auto loaded = loadManagedWorkspace(app.store, req.param("id"));
  if (loaded.error) return *loaded.error;
  JsonInput in(req.body);
  const bool reset = in.boolean("reset").value_or(req.queryParam("reset").value_or("") == "true");
  if (in.error()) return Response::error(400, *in.error());
  const auto& w = *loaded.workspace;
  if (auto refused = refuseUnderPausedParent(app, w)) return *refused;
  if (!app.workspaces.hasProvisioner()) return Response::error(503, "no workspace backend is configured");
  auto changed = app.lifecycle.change(StatusChange{w.id, Status::provisioning, "WORKSPACE_PROVISIONING",
                                                   {{"name", w.name}, {"reason", "restart"}}, {}, std::string()});
  if (!changed) return Response::fromError(changed.error());
  app.liveness.forget(w.id);
  // The runtime and the rest of the config come from the database row, on every backend.
  if (auto r = app.workspaces.restartWorkspaceAuto(w); !r) return Response::fromError(r.error());
  return Response::json(200, {{"status", "provisioning"}, {"reset_session", reset}});
}

Response pause(App& app, const Request& req) {
  auto loaded = loadLiveWorkspace(app.store, req.param("id"));
  if (loaded.error) return *loaded.error;
  const auto& w = *loaded.workspace;
  if (w.status == Status::paused) return Response::error(404, "workspace is already paused");
  auto below = app.store.descendants(w.id);
  if (!below) return Response::fromError(below.error());
  std::vector<WorkspaceRef> targets{{w.id, w.name}};
  targets.insert(targets.end(), below->begin(), below->end());
  int paused = 0;
  std::vector<std::string> failures;
  for (const auto& t : targets) {
    if (auto stopped = app.workspaces.pauseWorkspaceAuto(t.id); !stopped) {
      failures.push_back(t.id + ": " + stopped.error().message);
      continue;
    }
    app.liveness.forget(t.id);
    auto changed = app.lifecycle.change(StatusChange{t.id, Status::paused, "WORKSPACE_PAUSED", {{"name", t.name}}, {}, std::string()});
    if (changed && *changed) ++paused;
  }
  if (!failures.empty())
    return Response::json(500, {{"error", "pause incomplete, please retry: " + failures.front()}, {"paused_count", paused}});
  return Response::json(200, {{"status", "paused"}, {"paused_count", paused}});
}

Response resume(App& app, const Request& req) {
  auto loaded = loadLiveWorkspace(app.store, req.param("id"));
  if (loaded.error) return *loaded.error;
  const auto& w = *loaded.workspace;
  if (w.status != Status::paused) return Response::error(404, "workspace is not paused");
  if (auto refused = refuseUnderPausedParent(app, w)) return *refused;
  if (!app.workspaces.hasProvisioner()) return Response::error(503, "no workspace backend is configured");
  auto below = app.store.descendants(w.id);
  if (!below) return Response::fromError(below.error());
  std::vector<std::string> ids{w.id};
  for (const auto& d : *below) ids.push_back(d.id);
  int resumed = 0;
  for (const auto& id : ids) {
    auto row = app.store.findWorkspace(id);
    if (!row || !*row || (*row)->status != Status::paused) continue;
    auto changed = app.lifecycle.change(StatusChange{id, Status::provisioning, "WORKSPACE_PROVISIONING",
                                                     {{"name", (*row)->name}, {"reason", "resume"}}, {Status::paused}});
    if (!changed || !*changed) continue;
    if ((*row)->external) continue;  // an external agent comes back by registering
    if (auto r = app.workspaces.resumeWorkspaceAuto(**row); !r) return Response::fromError(r.error());
    ++resumed;
  }
  return Response::json(200, {{"status", "provisioning"}, {"resumed_count", resumed}});
}

Response hibernate(App& app, const Request& req) {
  auto loaded = loadLiveWorkspace(app.store, req.param("id"));
  if (loaded.error) return *loaded.error;
  const auto& w = *loaded.workspace;
  if (!isServing(w.status))
    return Response::error(404, "only an online or degraded workspace can hibernate");
  if (w.active_tasks > 0 && req.queryParam("force").value_or("") != "true")
    return Response::json(409, {{"error", "workspace has active tasks; use ?force=true"}, {"active_tasks", w.active_tasks}});
  auto claimed = app.lifecycle.change(StatusChange{w.id, Status::hibernating, "WORKSPACE_HIBERNATING", json::object()});
  if (!claimed) return Response::fromError(claimed.error());
  if (!*claimed) return Response::error(409, "workspace changed state; try again");
  app.liveness.forget(w.id);
  if (auto r = app.workspaces.hibernateWorkspaceAuto(w.id); !r) {
    (void)app.lifecycle.change(StatusChange{w.id, Status::online, "WORKSPACE_ONLINE", {{"reason", "hibernate failed"}}, {Status::hibernating}});
    return Response::fromError(r.error());
  }
  auto done = app.lifecycle.change(StatusChange{w.id, Status::hibernated, "WORKSPACE_HIBERNATED", json::object(),
                                                {Status::hibernating}, std::string()});
  if (!done) return Response::fromError(done.error());
  return Response::json(200, {{"status", "hibernated"}});
}

Response bootLog(App& app, const Request& req) {
  auto loaded = loadManagedWorkspace(app.store, req.param("id"));
  if (loaded.error) return *loaded.error;
  auto log = app.workspaces.bootLogAuto(loaded.workspace->id);
  if (!log) return Response::fromError(log.error());
  return Response::json(200, {{"workspace_id", loaded.workspace->id}, {"backend", app.workspaces.backendName()}, {"output", *log}});
}

std::variant<Response, std::shared_ptr<Terminal>> terminal(App& app, const Request& req) {
  auto loaded = loadManagedWorkspace(app.store, req.param("id"));
  if (loaded.error) return *loaded.error;
  auto term = app.workspaces.openTerminalAuto(loaded.workspace->id);
  if (!term) return Response::fromError(term.error());
  return std::shared_ptr<Terminal>(*term);
}

}  // namespace

void registerLifecycleRoutes(Router& router, App& app) {
  router.addTerminal("/workspaces/:id/terminal", AuthPolicy::workspace, [&app](const Request& r) { return terminal(app, r); });
  router.addBlocking("POST", "/workspaces/:id/restart", AuthPolicy::workspace, [&app](const Request& r) { return restart(app, r); });
  router.addBlocking("POST", "/workspaces/:id/pause", AuthPolicy::workspace, [&app](const Request& r) { return pause(app, r); });
  router.addBlocking("POST", "/workspaces/:id/resume", AuthPolicy::workspace, [&app](const Request& r) { return resume(app, r); });
  router.addBlocking("POST", "/workspaces/:id/hibernate", AuthPolicy::workspace, [&app](const Request& r) { return hibernate(app, r); });
  router.addBlocking("GET", "/workspaces/:id/boot-log", AuthPolicy::workspace, [&app](const Request& r) { return bootLog(app, r); });
}

}  // namespace ws
