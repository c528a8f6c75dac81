#include <charconv>

#include "../core/util.h"
#include "app.h"

namespace ws {

LoadedWorkspace loadLiveWorkspace(Store& store, const std::string& id) {
  if (!isUuid(id)) return {std::nullopt, Response::error(400, "invalid workspace id")};
  auto found = store.findWorkspace(id);
  if (!found) return {std::nullopt, Response::fromError(found.error())};
  if (!*found || (*found)->status == Status::removed)
    return {std::nullopt, Response::error(404, "workspace not found")};
  return {std::move(*found), std::nullopt};
}

nlohmann::json parseStoredJson(const std::optional<std::string>& text) {
  if (!text) return nullptr;
  auto j = nlohmann::json::parse(*text, nullptr, false);
  return j.is_discarded() ? nlohmann::json(nullptr) : j;
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

namespace {

nlohmann::json optional(const std::optional<std::string>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

}  // namespace

nlohmann::json workspaceListJson(const Workspace& w) {
  return {
      {"id", w.id},
      {"name", w.name},
      {"role", optional(w.role)},
      {"tier", w.tier},
      {"status", toString(w.status)},
      {"agent_card", parseStoredJson(w.agent_card)},
      {"url", w.url},
      {"parent_id", optional(w.parent_id)},
      {"active_tasks", w.active_tasks},
      {"max_concurrent_tasks", w.max_concurrent_tasks},
      {"last_error_rate", w.last_error_rate},
      {"last_sample_error", w.last_sample_error},
      {"uptime_seconds", w.uptime_seconds},
      {"current_task", w.current_task},
      {"runtime", w.runtime},
      {"workspace_dir", optional(w.workspace_dir)},
      {"monthly_spend", w.monthly_spend},
      {"budget_limit", w.budget_limit ? nlohmann::json(*w.budget_limit) : nlohmann::json(nullptr)},
      {"x", w.x},
      {"y", w.y},
      {"collapsed", w.collapsed},
  };
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

}  // namespace ws
