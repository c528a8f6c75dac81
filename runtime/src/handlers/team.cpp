// Teams (runtime-spec 4.6) and the control-plane callbacks (3.2, 3.7): expand and collapse a
// workspace's children, the console, and bootstrap-failed. All backend work goes through the
// dispatchers, so teams behave the same on every backend.

#include "core/json_input.h"
#include "core/util.h"
#include "handlers/routes.h"
#include "parity/parity.h"
#include "service/validation.h"

namespace ws {
namespace {

using nlohmann::json;

constexpr std::size_t kMaxLogTail = 8192;

Response expand(Services& svc, const Request& req) {
  auto parent = svc.workspaces.findLive(req.param("id"));
  if (!parent) return Response::fromError(parent.error());
  JsonInput in(req.body);
  auto subs = in.body().value("sub_workspaces", json::array());
  if (in.error()) return Response::error(Errc::invalid_argument, *in.error());
  if (!subs.is_array() || subs.empty()) return Response::error(Errc::invalid_argument, "sub_workspaces must be a non-empty array");
  if (subs.size() > 100) return Response::error(Errc::invalid_argument, "at most 100 sub_workspaces per expand");
  std::vector<Workspace> children;
  for (const auto& s : subs) {
    JsonInput child(s.is_object() ? s.dump() : "[]");
    auto name = child.string("name");
    auto role = child.string("role");
    auto runtime = child.string("runtime");
    if (child.error()) return Response::error(Errc::invalid_argument, "sub_workspaces: " + *child.error());
    if (!name || name->empty()) return Response::error(Errc::invalid_argument, "every sub_workspace needs a name");
    if (auto ok = validateWorkspaceText(name, role, std::nullopt, runtime); !ok) return Response::fromError(ok.error());
    Workspace w;
    w.id = newUuid();
    w.name = *name;
    w.role = role;
    w.tier = parent->tier;
    w.runtime = runtime && !runtime->empty() ? *runtime : parent->runtime;
    w.parent_id = parent->id;
    w.awareness_namespace = "workspace:" + w.id;
    w.created_at = w.updated_at = nowTime();
    children.push_back(std::move(w));
  }
  json listed = json::array();
  std::vector<WorkspaceService::NewWorkspace> batch;
  for (const auto& w : children) {
    batch.push_back({w, {{"name", w.name}, {"tier", w.tier}, {"parent_id", w.parent_id.value_or("")}}, {}, {}});
    listed.push_back({{"id", w.id}, {"name", w.name}, {"role", w.role ? json(*w.role) : json(nullptr)}});
  }
  // The same path as a single create: the rows, their events, then token, config, dispatcher.
  if (auto ok = svc.workspaces.create(std::move(batch)); !ok) return Response::fromError(ok.error());
  svc.events().record("WORKSPACE_EXPANDED", parent->id, {{"children", listed}});
  return Response::json(200, {{"status", "expanded"}, {"children", listed}});
}

Response collapse(Services& svc, const Request& req) {
  PARITY_IMPL(team_collapse, docker, "teardown: stopWorkspaceAuto and removeVolumesAuto for each child");
  PARITY_IMPL(team_collapse, swarm, "teardown: stopWorkspaceAuto and removeVolumesAuto for each child");
  PARITY_IMPL(team_collapse, controlplane, "teardown: stopWorkspaceAuto and removeVolumesAuto for each child");
  auto parent = svc.workspaces.findLive(req.param("id"));
  if (!parent) return Response::fromError(parent.error());
  auto children = svc.store.children(parent->id);
  if (!children) return Response::fromError(children.error());
  json removed = json::array();
  std::vector<std::string> ids;
  std::vector<json> payloads;
  for (const auto& c : *children) {
    ids.push_back(c.id);
    payloads.push_back({{"name", c.name}});
    removed.push_back(c.name);
  }
  // The database first (removed, tokens revoked), then the workloads, as delete does.
  auto done = svc.workspaces.teardown(ids, payloads);
  if (!done) return Response::fromError(done.error());
  const auto& failures = done->failures;
  svc.events().record("WORKSPACE_COLLAPSED", parent->id, {{"removed_children", removed}});
  if (!failures.empty())
    return Response::json(500, {{"error", "children marked removed, but " + std::to_string(failures.size()) +
                                              " stop call(s) failed — please retry: " + failures.front()},
                                {"removed", removed}});
  return Response::json(200, {{"status", "collapsed"}, {"removed", removed}});
}

Response console(Services& svc, const Request& req) {
  auto loaded = svc.workspaces.findLive(req.param("id"));
  if (!loaded) return Response::fromError(loaded.error());
  auto output = svc.workspaces.bootLogAuto(loaded->id);
  if (!output) {
    if (output.error().code == Errc::backend_unavailable)
      return Response::error(Errc::unsupported, "console output unavailable on this deployment (no backend)");
    return Response::error(Errc::backend_error, output.error().message);
  }
  return Response::json(200, {{"output", *output}});
}

Response bootstrapFailed(Services& svc, const Request& req) {
  auto loaded = svc.workspaces.findLive(req.param("id"));
  if (!loaded) return Response::fromError(loaded.error());
  JsonInput in(req.body);
  const std::string error = in.string("error").value_or("bootstrap failed");
  std::string tail = in.string("log_tail").value_or("");
  if (in.error()) return Response::error(Errc::invalid_argument, *in.error());
  // Keep the end of the log: that is where the failure is. Cut on a UTF-8 boundary.
  const auto keepTail = [](std::string& s, std::size_t max) {
    if (s.size() <= max) return;
    s.erase(0, s.size() - max);
    std::size_t skip = 0;
    while (skip < s.size() && (static_cast<unsigned char>(s[skip]) & 0xC0) == 0x80) ++skip;
    s.erase(0, skip);
  };
  keepTail(tail, kMaxLogTail);
  std::string reason_tail = tail;
  keepTail(reason_tail, error.size() + 1 < kMaxLogTail ? kMaxLogTail - error.size() - 1 : 0);
  const std::string reason = (reason_tail.empty() ? error : error + "\n" + reason_tail).substr(0, kMaxLogTail);
  auto changed = svc.lifecycle.change(StatusChange::to(Status::failed, loaded->id, {{"error", error}, {"log_tail", tail}, {"source", "bootstrap_watcher"}})
          .from({Status::provisioning})
          .withError(reason));
  if (!changed) return Response::fromError(changed.error());
  if (!*changed) return Response::json(200, {{"ok", true}, {"no_change", true}});
  return Response::json(200, {{"ok", true}});
}

}  // namespace

void registerTeamRoutes(Router& router, Services& svc) {
  router.addBlocking("POST", "/workspaces/:id/expand", AuthPolicy::workspace, [&svc](const Request& r) { return expand(svc, r); });
  router.addBlocking("POST", "/workspaces/:id/collapse", AuthPolicy::workspace, [&svc](const Request& r) { return collapse(svc, r); });
  router.addBlocking("GET", "/workspaces/:id/console", AuthPolicy::admin, [&svc](const Request& r) { return console(svc, r); });
  router.add("POST", "/admin/workspaces/:id/bootstrap-failed", AuthPolicy::admin,
             [&svc](const Request& r) { return bootstrapFailed(svc, r); });
}

}  // namespace ws
