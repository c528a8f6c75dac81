// PostgresStore: workspaces, their tree and their events.

#include <set>
#include <string>
#include <vector>

#include "core/util.h"
#include "store/postgres/postgres_store.h"
#include "store/sql_text.h"

namespace ws {
namespace {

using pg::collect;

constexpr const char* kWorkspaceColumns =
    "w.id, w.name, w.role, w.tier, w.status, w.agent_card, w.url, w.parent_id, w.active_tasks, "
    "w.max_concurrent_tasks, w.last_error_rate, w.last_sample_error, w.uptime_seconds, "
    "w.current_task, w.runtime, w.model, w.template_id, w.workspace_dir, w.workspace_access, w.monthly_spend, "
    "w.budget_limit, w.awareness_namespace, w.instance_id, w.external, w.last_heartbeat_at, "
    "w.last_outbound_at, w.created_at, w.updated_at, w.hibernation_idle_minutes, w.last_active_at, "
    "COALESCE(l.x, 0), COALESCE(l.y, 0), COALESCE(l.collapsed, false) "
    "FROM workspaces w LEFT JOIN canvas_layouts l ON l.workspace_id = w.id ";

Workspace readWorkspace(const pqxx::row& r) {
  Workspace w;
  int c = 0;
  w.id = pg::text(r[c++]);
  w.name = pg::text(r[c++]);
  w.role = pg::optText(r[c++]);
  w.tier = static_cast<int>(pg::integer(r[c++]));
  w.status = parseStatus(pg::text(r[c++])).value_or(Status::failed);
  w.agent_card = pg::optText(r[c++]);
  w.url = pg::text(r[c++]);
  w.parent_id = pg::optText(r[c++]);
  w.active_tasks = static_cast<int>(pg::integer(r[c++]));
  w.max_concurrent_tasks = static_cast<int>(pg::integer(r[c++]));
  w.last_error_rate = pg::real(r[c++]);
  w.last_sample_error = pg::text(r[c++]);
  w.uptime_seconds = pg::integer(r[c++]);
  w.current_task = pg::text(r[c++]);
  w.runtime = pg::text(r[c++]);
  w.model = pg::text(r[c++]);
  w.template_id = pg::optText(r[c++]);
  w.workspace_dir = pg::optText(r[c++]);
  w.workspace_access = pg::text(r[c++]);
  w.monthly_spend = pg::integer(r[c++]);
  w.budget_limit = pg::optInteger(r[c++]);
  w.awareness_namespace = pg::text(r[c++]);
  w.instance_id = pg::optText(r[c++]);
  w.external = pg::boolean(r[c++]);
  w.last_heartbeat_at = pg::optText(r[c++]);
  w.last_outbound_at = pg::optText(r[c++]);
  w.created_at = pg::text(r[c++]);
  w.updated_at = pg::text(r[c++]);
  if (auto minutes = pg::optInteger(r[c++])) w.hibernation_idle_minutes = static_cast<int>(*minutes);
  w.last_active_at = pg::optText(r[c++]);
  w.x = pg::real(r[c++]);
  w.y = pg::real(r[c++]);
  w.collapsed = pg::boolean(r[c++]);
  return w;
}

WorkspaceRef readRef(const pqxx::row& r) { return WorkspaceRef{pg::text(r[0]), pg::text(r[1])}; }

std::optional<std::int64_t> minutesOf(const std::optional<int>& m) {
  return m ? std::optional<std::int64_t>(*m) : std::nullopt;
}

}  // namespace

Result<> PostgresStore::insertWorkspaces(const std::vector<NewWorkspace>& rows) {
  return guarded([&](pg::Session& s) {
    for (const auto& [w, created] : rows) insertWorkspaceRow(s, w, created);
  });
}

void PostgresStore::insertWorkspaceRow(pg::Session& s, const Workspace& w, const Event& created) {
  s.execParams(
      "INSERT INTO workspaces (id, name, role, tier, status, agent_card, url, parent_id, "
      "max_concurrent_tasks, runtime, model, workspace_dir, workspace_access, "
      "budget_limit, awareness_namespace, external, created_at, updated_at, template_id, "
      "hibernation_idle_minutes, last_heartbeat_at) "
      "VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21)",
      {pg::param(w.id), pg::param(w.name), pg::param(w.role), pg::param(w.tier), pg::param(toString(w.status)),
       pg::param(w.agent_card), pg::param(w.url), pg::param(w.parent_id), pg::param(w.max_concurrent_tasks),
       pg::param(w.runtime), pg::param(w.model), pg::param(w.workspace_dir), pg::param(w.workspace_access),
       pg::param(w.budget_limit), pg::param(w.awareness_namespace), pg::param(w.external), pg::param(w.created_at),
       pg::param(w.updated_at), pg::param(w.template_id), pg::param(minutesOf(w.hibernation_idle_minutes)),
       pg::param(w.last_heartbeat_at)});
  s.exec("INSERT INTO canvas_layouts (workspace_id, x, y, collapsed) VALUES ($1, $2, $3, $4)", w.id, w.x, w.y,
         w.collapsed);
  insertEvent(s, created);
}

Result<std::optional<Workspace>> PostgresStore::findWorkspace(const std::string& id) {
  return single([&](pg::Session& s) -> std::optional<Workspace> {
    auto r = s.exec(std::string("SELECT ") + kWorkspaceColumns + "WHERE w.id = $1", id);
    if (r.empty()) return std::nullopt;
    return readWorkspace(r[0]);
  });
}

Result<std::vector<Workspace>> PostgresStore::listWorkspaces() {
  return single([&](pg::Session& s) {
    return collect(s.exec(std::string("SELECT ") + kWorkspaceColumns +
                          "WHERE w.status <> 'removed' ORDER BY w.created_at, w.id"),
                   readWorkspace);
  });
}

Result<std::vector<Workspace>> PostgresStore::listByStatus(const std::set<Status>& statuses) {
  return single([&](pg::Session& s) {
    std::string sql = std::string("SELECT ") + kWorkspaceColumns;
    if (!statuses.empty()) sql += "WHERE w.status IN (" + sqlStatusList(statuses) + ") ";
    return collect(s.exec(sql + "ORDER BY w.created_at, w.id"), readWorkspace);
  });
}

Result<std::vector<WorkspaceCount>> PostgresStore::countWorkspaces() {
  return single([&](pg::Session& s) {
    auto r = s.exec("SELECT status, external, COUNT(*) FROM workspaces WHERE status <> 'removed' "
                    "GROUP BY status, external ORDER BY status, external");
    return collect(r, [](const pqxx::row& row) {
      return WorkspaceCount{parseStatus(pg::text(row[0])).value_or(Status::failed), pg::boolean(row[1]),
                            pg::integer(row[2])};
    });
  });
}

Result<bool> PostgresStore::updateWorkspace(const std::string& id, const WorkspaceUpdate& u) {
  return guarded([&](pg::Session& s) {
    std::vector<pg::Param> params{pg::param(nowTime())};
    std::string sql = "UPDATE workspaces SET updated_at = $1";
    auto add = [&](const char* column, pg::Param value) {
      params.push_back(std::move(value));
      sql += std::string(", ") + column + " = $" + std::to_string(params.size());
    };
    if (u.name) add("name", pg::param(*u.name));
    if (u.role) add("role", pg::param(*u.role));
    if (u.tier) add("tier", pg::param(*u.tier));
    if (u.parent_id) add("parent_id", pg::param(*u.parent_id));
    if (u.runtime) add("runtime", pg::param(*u.runtime));
    if (u.template_id) add("template_id", pg::param(*u.template_id));
    if (u.workspace_dir) add("workspace_dir", pg::param(*u.workspace_dir));
    if (u.workspace_access) add("workspace_access", pg::param(*u.workspace_access));
    if (u.url) add("url", pg::param(*u.url));
    if (u.instance_id) add("instance_id", pg::param(*u.instance_id));
    if (u.agent_card) add("agent_card", pg::param(*u.agent_card));
    if (u.budget_limit) add("budget_limit", pg::param(*u.budget_limit));
    if (u.hibernation_idle_minutes) add("hibernation_idle_minutes", pg::param(minutesOf(*u.hibernation_idle_minutes)));
    params.push_back(id);
    sql += " WHERE id = $" + std::to_string(params.size()) + " AND status <> 'removed'";
    const bool found = s.execParams(sql, params).affected_rows() > 0;
    if (found && (u.x || u.y || u.collapsed)) {
      s.exec("INSERT INTO canvas_layouts (workspace_id, x, y, collapsed) VALUES ($1, COALESCE($2::float8, 0), "
             "COALESCE($3::float8, 0), COALESCE($4::boolean, false)) ON CONFLICT (workspace_id) DO UPDATE SET "
             "x = COALESCE($2::float8, canvas_layouts.x), y = COALESCE($3::float8, canvas_layouts.y), "
             "collapsed = COALESCE($4::boolean, canvas_layouts.collapsed)",
             id, u.x, u.y, u.collapsed);
    }
    return found;
  });
}

Result<bool> PostgresStore::transition(const Transition& t) {
  return guarded([&](pg::Session& s) {
    const std::string now = nowTime();
    std::vector<pg::Param> params{pg::param(toString(t.to)), pg::param(now)};
    std::string sql = "UPDATE workspaces SET status = $1, updated_at = $2";
    if (t.url) {
      params.push_back(*t.url);
      sql += ", url = $" + std::to_string(params.size());
    }
    if (t.last_sample_error) {
      params.push_back(*t.last_sample_error);
      sql += ", last_sample_error = $" + std::to_string(params.size());
    }
    params.push_back(t.workspace_id);
    sql += " WHERE id = $" + std::to_string(params.size()) + " AND status <> 'removed'";
    if (!t.from.empty()) sql += " AND status IN (" + sqlStatusList(t.from) + ")";
    const bool changed = s.execParams(sql, params).affected_rows() > 0;
    if (changed) insertEvent(s, Event{0, t.event_type, t.workspace_id, t.event_payload, now});
    return changed;
  });
}

Result<bool> PostgresStore::recordHeartbeat(const HeartbeatUpdate& h) {
  return single([&](pg::Session& s) {
    return s.exec("UPDATE workspaces SET last_heartbeat_at = $1::text, last_error_rate = $2, "
                  "last_sample_error = $3, active_tasks = $4, uptime_seconds = $5, current_task = $6, "
                  "monthly_spend = COALESCE($7::bigint, monthly_spend), "
                  "last_active_at = CASE WHEN $4::integer > 0 THEN $1::text ELSE last_active_at END "
                  "WHERE id = $8 AND status <> 'removed'",
                  nowTime(), h.error_rate, h.sample_error, h.active_tasks, h.uptime_seconds, h.current_task,
                  h.monthly_spend, h.workspace_id)
               .affected_rows() > 0;
  });
}

Result<bool> PostgresStore::touchHeartbeat(const std::string& id) {
  return single([&](pg::Session& s) {
    return s.exec("UPDATE workspaces SET last_heartbeat_at = $1::text WHERE id = $2 AND status <> 'removed'",
                  nowTime(), id)
               .affected_rows() > 0;
  });
}

Result<std::vector<std::string>> PostgresStore::silentSince(const std::string& older_than) {
  return single([&](pg::Session& s) {
    auto r = s.exec(
        "SELECT id FROM workspaces WHERE status IN ('online', 'degraded') "
        "AND (last_heartbeat_at IS NULL OR last_heartbeat_at <= $1::text)",
        older_than);
    return collect(r, [](const pqxx::row& row) { return pg::text(row[0]); });
  });
}

Result<std::vector<IdleWorkspace>> PostgresStore::idleWorkspaces() {
  return withActivity([&](pg::Session& s) {
    // Time stamps sort as text, so the latest of them is their GREATEST.
    auto r = s.exec(
        "SELECT w.id, w.hibernation_idle_minutes, GREATEST(w.updated_at, COALESCE(w.last_active_at, ''), "
        "COALESCE((SELECT MAX(a.created_at) FROM activity_logs a WHERE a.workspace_id = w.id), '')) "
        "FROM workspaces w WHERE w.hibernation_idle_minutes > 0 AND w.status IN ('online', 'degraded') "
        "AND w.active_tasks = 0 AND NOT w.external ORDER BY w.id");
    return collect(r, [](const pqxx::row& row) {
      return IdleWorkspace{pg::text(row[0]), static_cast<int>(pg::integer(row[1])), pg::text(row[2])};
    });
  });
}

Result<std::vector<std::string>> PostgresStore::provisioningSince(const std::string& older_than) {
  return single([&](pg::Session& s) {
    return collect(s.exec("SELECT id FROM workspaces WHERE status = 'provisioning' AND updated_at < $1", older_than),
                   [](const pqxx::row& row) { return pg::text(row[0]); });
  });
}

Result<std::vector<WorkspaceRef>> PostgresStore::children(const std::string& id) {
  return single([&](pg::Session& s) {
    return collect(s.exec("SELECT id, name FROM workspaces WHERE parent_id = $1 AND status <> 'removed' "
                          "ORDER BY created_at, id",
                          id),
                   readRef);
  });
}

Result<std::vector<WorkspaceRef>> PostgresStore::descendants(const std::string& id) {
  return single([&](pg::Session& s) {
    return collect(
        s.exec("WITH RECURSIVE d(id, name, depth, created_at) AS ("
               "  SELECT id, name, 1, created_at FROM workspaces WHERE parent_id = $1 AND status <> 'removed'"
               "  UNION ALL"
               "  SELECT w.id, w.name, d.depth + 1, w.created_at FROM workspaces w JOIN d ON w.parent_id = d.id"
               "  WHERE w.status <> 'removed')"
               " SELECT id, name FROM d ORDER BY depth, created_at, id",
               id),
        readRef);
  });
}

Result<> PostgresStore::markRemoved(const std::vector<std::string>& ids, const std::vector<Event>& events) {
  return guarded([&](pg::Session& s) {
    const std::string now = nowTime();
    for (const auto& id : ids) {
      s.exec("UPDATE workspaces SET status = 'removed', url = '', updated_at = $1 WHERE id = $2", now, id);
      s.exec("DELETE FROM canvas_layouts WHERE workspace_id = $1", id);
      revokeAll(s, id, now);
    }
    for (const auto& e : events) insertEvent(s, e);
  });
}

Result<> PostgresStore::purge(const std::vector<std::string>& ids) {
  return withActivity([&](pg::Session& s) {
    for (const auto& id : ids) {
      for (const char* table : {"activity_logs", "workspace_auth_tokens", "canvas_layouts", "workspace_secrets",
                                "workspace_plugins", "agent_memories", "workspace_schedules", "workspace_token_usage",
                                "workspace_config", "workspace_files"})
        s.exec(std::string("DELETE FROM ") + table + " WHERE workspace_id = $1", id);
      s.exec("UPDATE workspaces SET parent_id = NULL WHERE parent_id = $1", id);
      s.exec("UPDATE workspaces SET forwarded_to = NULL WHERE forwarded_to = $1", id);
    }
    for (const auto& id : ids) s.exec("DELETE FROM workspaces WHERE id = $1", id);
  });
}

// One row, replaced on every save (the reference keeps a fixed id too).
Result<std::optional<Viewport>> PostgresStore::viewport() {
  return single([&](pg::Session& s) -> std::optional<Viewport> {
    auto r = s.exec("SELECT x, y, zoom, saved_at FROM canvas_viewport ORDER BY saved_at DESC LIMIT 1");
    if (r.empty()) return std::nullopt;
    return Viewport{pg::real(r[0][0]), pg::real(r[0][1]), pg::real(r[0][2]), pg::text(r[0][3])};
  });
}

Result<> PostgresStore::saveViewport(const Viewport& v) {
  return single([&](pg::Session& s) {
    s.exec("INSERT INTO canvas_viewport (id, x, y, zoom, saved_at) VALUES ('default', $1, $2, $3, $4) "
           "ON CONFLICT (id) DO UPDATE SET x = excluded.x, y = excluded.y, zoom = excluded.zoom, "
           "saved_at = excluded.saved_at",
           v.x, v.y, v.zoom, v.saved_at);
  });
}

Result<std::int64_t> PostgresStore::appendEvent(const Event& e) {
  return single([&](pg::Session& s) { return insertEvent(s, e); });
}

Result<std::vector<Event>> PostgresStore::listEvents(const std::optional<std::string>& workspace_id, int limit) {
  return single([&](pg::Session& s) {
    auto r = s.exec("SELECT id, event_type, workspace_id, payload, created_at FROM structure_events"
                    " WHERE $1::text IS NULL OR workspace_id = $1 ORDER BY id DESC LIMIT $2",
                    workspace_id, limit);
    return collect(r, [](const pqxx::row& row) {
      return Event{pg::integer(row[0]), pg::text(row[1]), pg::optText(row[2]), pg::text(row[3]), pg::text(row[4])};
    });
  });
}

}  // namespace ws
