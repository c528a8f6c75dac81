#include "handlers/views.h"

#include "core/json.h"

namespace ws {

nlohmann::json parseStoredJson(const std::optional<std::string>& text) {
  if (!text) return nullptr;
  return parseJsonOr(*text, nlohmann::json(nullptr));
}

nlohmann::json activityJson(const ActivityRecord& a) {
  using nlohmann::json;
  const auto opt = [](const std::optional<std::string>& v) { return v ? json(*v) : json(nullptr); };
  json j{{"id", a.id},
         {"workspace_id", a.workspace_id},
         {"activity_type", a.activity_type},
         {"source_id", opt(a.source_id)},
         {"target_id", opt(a.target_id)},
         {"method", a.method},
         {"summary", a.summary},
         {"duration_ms", a.duration_ms ? json(*a.duration_ms) : json(nullptr)},
         {"status", a.status},
         {"error_detail", a.error_detail},
         {"created_at", a.created_at}};
  if (a.request_body) j["request_body"] = parseStoredJson(a.request_body);
  if (a.response_body) j["response_body"] = parseStoredJson(a.response_body);
  if (a.tool_trace) j["tool_trace"] = parseStoredJson(a.tool_trace);
  return j;
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
  const bool owned = list || view == WorkspaceView::single_owned;
  if (owned) out.key("last_sample_error").value(w.last_sample_error);  // why it is degraded or failed
  out.key("uptime_seconds").value(w.uptime_seconds);
  if (owned) out.key("current_task").value(w.current_task);
  out.key("runtime").value(w.runtime);
  out.key("hibernation_idle_minutes")
      .value(w.hibernation_idle_minutes ? std::optional<std::int64_t>(*w.hibernation_idle_minutes) : std::nullopt);
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

}  // namespace ws
