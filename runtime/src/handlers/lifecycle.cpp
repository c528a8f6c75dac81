// Restart, pause, resume, hibernate and the unified boot log (runtime-spec 4.4): the routes of
// the workspace service's lifecycle use cases.

#include <spdlog/spdlog.h>

#include "core/json_input.h"
#include "core/util.h"
#include "handlers/routes.h"
#include "service/templates.h"

namespace ws {
namespace {

using nlohmann::json;

Response restart(Services& svc, const Request& req) {
  auto loaded = svc.workspaces.findManaged(req.param("id"));
  if (!loaded) return Response::fromError(loaded.error());
  JsonInput in(req.body);
  const bool reset = in.boolean("reset").value_or(req.queryParam("reset").value_or("") == "true");
  const auto named = in.string("template");
  const bool apply = in.boolean("apply_template").value_or(false);
  if (in.error()) return Response::error(Errc::invalid_argument, *in.error());
  // A template for this and every later provision: the one named, or with apply_template the
  // one that carries the workspace's name (else its runtime's default, as before).
  const TemplateLibrary library(svc.config.templates_dir);
  std::optional<std::string> chosen;
  if (named && !named->empty()) {
    auto t = library.load(*named);
    if (!t) return Response::error(Errc::invalid_argument, t.error().code == Errc::not_found ? "template not found: " + *named : t.error().message);
    chosen = t->summary.id;
  } else if (apply) {
    chosen = library.findByName(loaded->name);
  }
  // The provision uses the row as given; the choice is stored once the restart is under way,
  // so a refused restart changes nothing.
  const bool rechosen = chosen && chosen != loaded->template_id;
  if (rechosen) loaded->template_id = chosen;
  if (auto r = svc.workspaces.restart(*loaded); !r) return Response::fromError(r.error());
  if (rechosen) {
    WorkspaceUpdate u;
    u.template_id = chosen;
    if (auto ok = svc.store.updateWorkspace(loaded->id, u); !ok) return Response::fromError(ok.error());
  }
  return Response::json(200, {{"status", "provisioning"}, {"reset_session", reset}});
}

Response pause(Services& svc, const Request& req) {
  auto loaded = svc.workspaces.findLive(req.param("id"));
  if (!loaded) return Response::fromError(loaded.error());
  auto done = svc.workspaces.pause(*loaded);
  if (!done) return Response::fromError(done.error());
  if (!done->failures.empty())
    return Response::json(500, {{"error", "pause incomplete, please retry: " + done->failures.front()},
                                {"paused_count", done->changed}});
  return Response::json(200, {{"status", "paused"}, {"paused_count", done->changed}});
}

Response resume(Services& svc, const Request& req) {
  auto loaded = svc.workspaces.findLive(req.param("id"));
  if (!loaded) return Response::fromError(loaded.error());
  auto done = svc.workspaces.resume(*loaded);
  if (!done) return Response::fromError(done.error());
  return Response::json(200, {{"status", "provisioning"}, {"resumed_count", done->changed}});
}

Response hibernate(Services& svc, const Request& req) {
  auto loaded = svc.workspaces.findLive(req.param("id"));
  if (!loaded) return Response::fromError(loaded.error());
  const bool force = req.queryParam("force").value_or("") == "true";
  if (auto r = svc.workspaces.hibernate(*loaded, force); !r) {
    if (r.error().code == Errc::conflict && loaded->active_tasks > 0 && !force)
      return Response::json(409, {{"error", r.error().message}, {"active_tasks", loaded->active_tasks}});
    return Response::fromError(r.error());
  }
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
