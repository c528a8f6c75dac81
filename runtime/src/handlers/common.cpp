#include <spdlog/spdlog.h>

#include <charconv>

#include "../core/json.h"
#include "../core/util.h"
#include "app.h"
#include "json_writer.h"

namespace ws {

LoadedWorkspace loadLiveWorkspace(Store& store, const std::string& id) {
  if (!isUuid(id)) return {std::nullopt, Response::error(400, "invalid workspace id")};
  auto found = store.findWorkspace(id);
  if (!found) return {std::nullopt, Response::fromError(found.error())};
  if (!*found || (*found)->status == Status::removed)
    return {std::nullopt, Response::error(404, "workspace not found")};
  return {std::move(*found), std::nullopt};
}

LoadedWorkspace loadManagedWorkspace(Store& store, const std::string& id) {
  auto loaded = loadLiveWorkspace(store, id);
  if (loaded.workspace && loaded.workspace->external)
    return {std::nullopt, Response::error(409, "workspace " + id + " is external: it has no workload on this server")};
  return loaded;
}

nlohmann::json parseStoredJson(const std::optional<std::string>& text) {
  if (!text) return nullptr;
  return parseJsonOr(*text, nlohmann::json(nullptr));
}

std::optional<int> readLimitParam(const Request& req, int fallback, int max) {
  auto raw = req.queryParam("limit");
  if (!raw) return fallback;
  int n = 0;
  const auto* end = raw->data() + raw->size();
  auto [ptr, ec] = std::from_chars(raw->data(), end, n);
  if (ec != std::errc() || ptr != end || n < 1) return std::nullopt;
  return std::min(n, max);
}

void writeWorkspaceJson(JsonWriter& out, const Workspace& w, WorkspaceView view) {
  const bool list = view == WorkspaceView::list;
  out.beginObject();
  out.key("id").value(w.id);
  out.key("name").value(w.name);
  out.key("role").value(w.role);
  out.key("tier").value(w.tier);
  out.key("status").value(toString(w.status));
  out.key("agent_card");
  w.agent_card ? out.raw(*w.agent_card) : out.null();  // stored as compact JSON text
  out.key("url").value(w.url);
  out.key("parent_id").value(w.parent_id);
  out.key("active_tasks").value(w.active_tasks);
  out.key("max_concurrent_tasks").value(w.max_concurrent_tasks);
  out.key("last_error_rate").value(w.last_error_rate);
  if (list) out.key("last_sample_error").value(w.last_sample_error);
  out.key("uptime_seconds").value(w.uptime_seconds);
  if (list) out.key("current_task").value(w.current_task);
  out.key("runtime").value(w.runtime);
  if (list) {
    out.key("workspace_dir").value(w.workspace_dir);
    out.key("monthly_spend").value(w.monthly_spend);
    out.key("budget_limit").value(w.budget_limit);
  } else {
    out.key("last_outbound_at").value(w.last_outbound_at);
  }
  out.key("x").value(w.x);
  out.key("y").value(w.y);
  out.key("collapsed").value(w.collapsed);
  out.endObject();
}

Result<bool> canCommunicate(Store& store, const std::string& caller, const std::string& target) {
  if (caller == target) return true;
  auto a = store.findWorkspace(caller);
  if (!a) return a.error();
  auto b = store.findWorkspace(target);
  if (!b) return b.error();
  if (!*a || !*b || (*a)->status == Status::removed || (*b)->status == Status::removed) return false;
  const auto& ca = **a;
  const auto& cb = **b;
  if (ca.parent_id == cb.parent_id) return true;  // siblings, or two roots
  if (cb.parent_id == ca.id || ca.parent_id == cb.id) return true;
  // Ancestor to descendant: walk up from the target (bounded against corrupt cycles).
  std::optional<std::string> up = cb.parent_id;
  for (int depth = 0; up && depth < 64; ++depth) {
    if (*up == ca.id) return true;
    auto p = store.findWorkspace(*up);
    if (!p) return p.error();
    up = *p ? (*p)->parent_id : std::nullopt;
  }
  return false;
}

bool markDeadAndRestart(App& app, const std::string& workspace_id, const std::string& reason) {
  auto changed = app.lifecycle.change(StatusChange{workspace_id, Status::offline, "WORKSPACE_OFFLINE",
                                                   {{"reason", reason}}, {Status::online, Status::degraded}});
  if (!changed || !*changed) return false;
  spdlog::warn("workspace {} is not running ({}); restarting it", workspace_id, reason);
  app.liveness.forget(workspace_id);
  app.workspaces.restartInBackground(workspace_id);
  return true;
}

}  // namespace ws
