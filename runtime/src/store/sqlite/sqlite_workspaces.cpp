// SqliteStore: workspaces, their tree and their events.

#include <set>
#include <string>
#include <vector>

#include "core/util.h"
#include "store/sqlite/sqlite_store.h"
#include "store/sql_text.h"

namespace ws {
namespace {

using sqlite::collect;
using sqlite::Statement;
using sqlite::Transaction;

constexpr const char* kWorkspaceColumns =
    "w.id, w.name, w.role, w.tier, w.status, w.agent_card, w.url, w.parent_id, w.active_tasks, "
    "w.max_concurrent_tasks, w.last_error_rate, w.last_sample_error, w.uptime_seconds, "
    "w.current_task, w.runtime, w.model, w.template_id, w.workspace_dir, w.workspace_access, w.monthly_spend, "
    "w.budget_limit, w.awareness_namespace, w.instance_id, w.external, w.last_heartbeat_at, "
    "w.last_outbound_at, w.created_at, w.updated_at, w.hibernation_idle_minutes, w.last_active_at, "
    "COALESCE(l.x, 0), COALESCE(l.y, 0), "
    "COALESCE(l.collapsed, 0) "
    "FROM workspaces w LEFT JOIN canvas_layouts l ON l.workspace_id = w.id ";

Workspace readWorkspace(const Statement& s) {
  Workspace w;
  int c = 0;
  w.id = s.text(c++);
  w.name = s.text(c++);
  w.role = s.optText(c++);
  w.tier = static_cast<int>(s.integer(c++));
  w.status = parseStatus(s.text(c++)).value_or(Status::failed);
  w.agent_card = s.optText(c++);
  w.url = s.text(c++);
  w.parent_id = s.optText(c++);
  w.active_tasks = static_cast<int>(s.integer(c++));
  w.max_concurrent_tasks = static_cast<int>(s.integer(c++));
  w.last_error_rate = s.real(c++);
  w.last_sample_error = s.text(c++);
  w.uptime_seconds = s.integer(c++);
  w.current_task = s.text(c++);
  w.runtime = s.text(c++);
  w.model = s.text(c++);
  w.template_id = s.optText(c++);
  w.workspace_dir = s.optText(c++);
  w.workspace_access = s.text(c++);
  w.monthly_spend = s.integer(c++);
  w.budget_limit = s.optInteger(c++);
  w.awareness_namespace = s.text(c++);
  w.instance_id = s.optText(c++);
  w.external = s.integer(c++) != 0;
  w.last_heartbeat_at = s.optText(c++);
  w.last_outbound_at = s.optText(c++);
  w.created_at = s.text(c++);
  w.updated_at = s.text(c++);
  if (auto minutes = s.optInteger(c++)) w.hibernation_idle_minutes = static_cast<int>(*minutes);
  w.last_active_at = s.optText(c++);
  w.x = s.real(c++);
  w.y = s.real(c++);
  w.collapsed = s.integer(c++) != 0;
  return w;
}

WorkspaceRef readRef(const Statement& s) { return WorkspaceRef{s.text(0), s.text(1)}; }

}  // namespace

Result<> SqliteStore::insertWorkspaces(const std::vector<NewWorkspace>& rows) {
  return guarded([&] {
    Transaction tx(db_);
    for (const auto& [w, created] : rows) insertWorkspaceRow(w, created);
    tx.commit();
  });
}

void SqliteStore::insertWorkspaceRow(const Workspace& w, const Event& created) {
  db_.prepare(
         "INSERT INTO workspaces (id, name, role, tier, status, agent_card, url, parent_id, "
         "max_concurrent_tasks, runtime, model, workspace_dir, workspace_access, "
         "budget_limit, awareness_namespace, external, created_at, updated_at, template_id, "
         "hibernation_idle_minutes, last_heartbeat_at) "
         "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")
      .bind(1, w.id).bind(2, w.name).bind(3, w.role).bind(4, w.tier)
      .bind(5, toString(w.status)).bind(6, w.agent_card).bind(7, w.url).bind(8, w.parent_id)
      .bind(9, w.max_concurrent_tasks).bind(10, w.runtime).bind(11, w.model)
      .bind(12, w.workspace_dir).bind(13, w.workspace_access).bind(14, w.budget_limit)
      .bind(15, w.awareness_namespace).bind(16, w.external).bind(17, w.created_at)
      .bind(18, w.updated_at).bind(19, w.template_id)
      .bind(20, w.hibernation_idle_minutes ? std::optional<std::int64_t>(*w.hibernation_idle_minutes) : std::nullopt)
      .bind(21, w.last_heartbeat_at)
      .run();
  db_.prepare("INSERT INTO canvas_layouts (workspace_id, x, y, collapsed) VALUES (?,?,?,?)")
      .bind(1, w.id).bind(2, w.x).bind(3, w.y).bind(4, w.collapsed)
      .run();
  insertEvent(created);
}

Result<std::optional<Workspace>> SqliteStore::findWorkspace(const std::string& id) {
  if (auto hit = workspace_cache_.find(id)) return std::optional<Workspace>(std::move(*hit));
  return guarded([&]() -> std::optional<Workspace> {
    const auto generation = generation_.load(std::memory_order_acquire);  // before the read
    auto& s = db_.prepare(std::string("SELECT ") + kWorkspaceColumns + "WHERE w.id = ?");
    s.bind(1, id);
    std::optional<Workspace> out;
    if (s.step()) out = readWorkspace(s);
    s.reset();
    if (out) workspace_cache_.put(id, generation, *out);
    return out;
  });
}

Result<std::vector<Workspace>> SqliteStore::listWorkspaces() {
  return guarded([&] {
    return collect(db_.prepare(std::string("SELECT ") + kWorkspaceColumns +
                               "WHERE w.status <> 'removed' ORDER BY w.created_at, w.id"),
                   readWorkspace);
  });
}

Result<std::vector<Workspace>> SqliteStore::listByStatus(const std::set<Status>& statuses) {
  return guarded([&] {
    std::string sql = std::string("SELECT ") + kWorkspaceColumns;
    if (!statuses.empty()) sql += "WHERE w.status IN (" + sqlStatusList(statuses) + ") ";
    return collect(db_.prepare(sql + "ORDER BY w.created_at, w.id"), readWorkspace);
  });
}

Result<std::vector<WorkspaceCount>> SqliteStore::countWorkspaces() {
  return guarded([&] {
    auto& q = db_.prepare("SELECT status, external, COUNT(*) FROM workspaces WHERE status <> 'removed' "
                          "GROUP BY status, external ORDER BY status, external");
    return collect(q, [](const Statement& r) {
      return WorkspaceCount{parseStatus(r.text(0)).value_or(Status::failed), r.integer(1) != 0, r.integer(2)};
    });
  });
}

Result<bool> SqliteStore::updateWorkspace(const std::string& id, const WorkspaceUpdate& u) {
  return guarded([&] {
    Transaction tx(db_);
    std::vector<std::string> sets;
    auto add = [&](bool present, const char* column) {
      if (present) sets.push_back(std::string(column) + " = ?");
    };
    add(u.name.has_value(), "name");
    add(u.role.has_value(), "role");
    add(u.tier.has_value(), "tier");
    add(u.parent_id.has_value(), "parent_id");
    add(u.runtime.has_value(), "runtime");
    add(u.template_id.has_value(), "template_id");
    add(u.workspace_dir.has_value(), "workspace_dir");
    add(u.workspace_access.has_value(), "workspace_access");
    add(u.url.has_value(), "url");
    add(u.instance_id.has_value(), "instance_id");
    add(u.agent_card.has_value(), "agent_card");
    add(u.budget_limit.has_value(), "budget_limit");
    add(u.hibernation_idle_minutes.has_value(), "hibernation_idle_minutes");
    std::string sql = "UPDATE workspaces SET updated_at = ?";
    for (const auto& s : sets) sql += ", " + s;
    auto& st = db_.prepare(sql + " WHERE id = ? AND status <> 'removed'");
    int i = 1;
    st.bind(i++, nowTime());
    if (u.name) st.bind(i++, *u.name);
    if (u.role) st.bind(i++, *u.role);
    if (u.tier) st.bind(i++, *u.tier);
    if (u.parent_id) st.bind(i++, *u.parent_id);
    if (u.runtime) st.bind(i++, *u.runtime);
    if (u.template_id) st.bind(i++, *u.template_id);
    if (u.workspace_dir) st.bind(i++, *u.workspace_dir);
    if (u.workspace_access) st.bind(i++, *u.workspace_access);
    if (u.url) st.bind(i++, *u.url);
    if (u.instance_id) st.bind(i++, *u.instance_id);
    if (u.agent_card) st.bind(i++, *u.agent_card);
    if (u.budget_limit) st.bind(i++, *u.budget_limit);
    if (u.hibernation_idle_minutes)
      st.bind(i++, *u.hibernation_idle_minutes ? std::optional<std::int64_t>(**u.hibernation_idle_minutes) : std::nullopt);
    st.bind(i, id).run();
    const bool found = db_.changes() > 0;
    if (found && (u.x || u.y || u.collapsed)) {
      db_.prepare(
             "INSERT INTO canvas_layouts (workspace_id, x, y, collapsed) VALUES (?, COALESCE(?, 0), "
             "COALESCE(?, 0), COALESCE(?, 0)) ON CONFLICT (workspace_id) DO UPDATE SET "
             "x = COALESCE(?2, x), y = COALESCE(?3, y), collapsed = COALESCE(?4, collapsed)")
          .bind(1, id).bind(2, u.x).bind(3, u.y).bind(4, u.collapsed)
          .run();
    }
    tx.commit();
    return found;
  });
}

Result<bool> SqliteStore::transition(const Transition& t) {
  return guarded([&] {
    Transaction tx(db_);
    std::string sql = "UPDATE workspaces SET status = ?, updated_at = ?";
    if (t.url) sql += ", url = ?";
    if (t.last_sample_error) sql += ", last_sample_error = ?";
    sql += " WHERE id = ? AND status <> 'removed'";
    if (!t.from.empty()) sql += " AND status IN (" + sqlStatusList(t.from) + ")";
    auto& st = db_.prepare(sql);
    st.bind(1, toString(t.to)).bind(2, nowTime());
    int i = 3;
    if (t.url) st.bind(i++, *t.url);
    if (t.last_sample_error) st.bind(i++, *t.last_sample_error);
    st.bind(i, t.workspace_id).run();
    const bool changed = db_.changes() > 0;
    if (changed)
      insertEvent(Event{0, t.event_type, t.workspace_id, t.event_payload, nowTime()});
    tx.commit();
    return changed;
  });
}

Result<bool> SqliteStore::recordHeartbeat(const HeartbeatUpdate& h) {
  return guarded([&] {
    db_.prepare(
           "UPDATE workspaces SET last_heartbeat_at = ?, last_error_rate = ?, "
           "last_sample_error = ?, active_tasks = ?, uptime_seconds = ?, current_task = ?, "
           "monthly_spend = COALESCE(?, monthly_spend), "
           "last_active_at = CASE WHEN ?4 > 0 THEN ?1 ELSE last_active_at END "
           "WHERE id = ? AND status <> 'removed'")
        .bind(1, nowTime()).bind(2, h.error_rate).bind(3, h.sample_error)
        .bind(4, h.active_tasks).bind(5, h.uptime_seconds).bind(6, h.current_task)
        .bind(7, h.monthly_spend).bind(8, h.workspace_id)
        .run();
    return db_.changes() > 0;
  });
}

Result<bool> SqliteStore::touchHeartbeat(const std::string& id) {
  return guarded([&] {
    db_.prepare("UPDATE workspaces SET last_heartbeat_at = ? WHERE id = ? AND status <> 'removed'")
        .bind(1, nowTime()).bind(2, id)
        .run();
    return db_.changes() > 0;
  });
}

Result<std::vector<std::string>> SqliteStore::silentSince(const std::string& older_than) {
  return guarded([&] {
    // Two ranges of the index (status, last_heartbeat_at) (migration 19): an OR would scan
    // every serving row.
    auto& s = db_.prepare(
        "SELECT id FROM workspaces WHERE status IN ('online', 'degraded') AND last_heartbeat_at IS NULL "
        "UNION ALL "
        "SELECT id FROM workspaces WHERE status IN ('online', 'degraded') AND last_heartbeat_at <= ?");
    s.bind(1, older_than);
    return collect(s, [](const Statement& r) { return r.text(0); });
  });
}

Result<std::vector<IdleWorkspace>> SqliteStore::idleWorkspaces() {
  return withActivity([&] {
    // Time stamps sort as text, so the latest of them is their MAX.
    auto& s = db_.prepare(
        "SELECT w.id, w.hibernation_idle_minutes, MAX(w.updated_at, COALESCE(w.last_active_at, ''), "
        "COALESCE((SELECT MAX(a.created_at) FROM activity_logs a WHERE a.workspace_id = w.id), '')) "
        "FROM workspaces w WHERE w.hibernation_idle_minutes > 0 AND w.status IN ('online', 'degraded') "
        "AND w.active_tasks = 0 AND w.external = 0 ORDER BY w.id");
    return collect(s, [](const Statement& r) {
      return IdleWorkspace{r.text(0), static_cast<int>(r.integer(1)), r.text(2)};
    });
  });
}

Result<std::vector<std::string>> SqliteStore::provisioningSince(const std::string& older_than) {
  return guarded([&] {
    auto& s = db_.prepare(
        "SELECT id FROM workspaces WHERE status = 'provisioning' AND updated_at < ?");
    s.bind(1, older_than);
    return collect(s, [](const Statement& r) { return r.text(0); });
  });
}

Result<std::vector<WorkspaceRef>> SqliteStore::children(const std::string& id) {
  return guarded([&] {
    auto& s = db_.prepare(
        "SELECT id, name FROM workspaces WHERE parent_id = ? AND status <> 'removed' "
        "ORDER BY created_at, id");
    s.bind(1, id);
    return collect(s, readRef);
  });
}

Result<std::vector<WorkspaceRef>> SqliteStore::descendants(const std::string& id) {
  return guarded([&] {
    auto& s = db_.prepare(
        "WITH RECURSIVE d(id, name, depth, created_at) AS ("
        "  SELECT id, name, 1, created_at FROM workspaces WHERE parent_id = ? AND status <> 'removed'"
        "  UNION ALL"
        "  SELECT w.id, w.name, d.depth + 1, w.created_at FROM workspaces w JOIN d ON w.parent_id = d.id"
        "  WHERE w.status <> 'removed')"
        " SELECT id, name FROM d ORDER BY depth, created_at, id");
    s.bind(1, id);
    return collect(s, readRef);
  });
}

Result<> SqliteStore::markRemoved(const std::vector<std::string>& ids, const std::vector<Event>& events) {
  return guarded([&] {
    Transaction tx(db_);
    const std::string now = nowTime();
    for (const auto& id : ids) {
      db_.prepare("UPDATE workspaces SET status = 'removed', url = '', updated_at = ? WHERE id = ?")
          .bind(1, now).bind(2, id).run();
      db_.prepare("DELETE FROM canvas_layouts WHERE workspace_id = ?").bind(1, id).run();
      revokeAll(id, now);
    }
    for (const auto& e : events) insertEvent(e);
    tx.commit();
  });
}

Result<> SqliteStore::purge(const std::vector<std::string>& ids) {
  return withActivity([&] {
    Transaction tx(db_);
    for (const auto& id : ids) {
      for (const char* table : {"activity_logs", "workspace_auth_tokens", "canvas_layouts", "workspace_secrets", "workspace_plugins",
                                "agent_memories", "workspace_schedules", "workspace_token_usage", "workspace_config",
                                "workspace_files"})
        db_.prepare(std::string("DELETE FROM ") + table + " WHERE workspace_id = ?").bind(1, id).run();
      db_.prepare("UPDATE workspaces SET parent_id = NULL WHERE parent_id = ?").bind(1, id).run();
      db_.prepare("UPDATE workspaces SET forwarded_to = NULL WHERE forwarded_to = ?").bind(1, id).run();
    }
    for (const auto& id : ids) db_.prepare("DELETE FROM workspaces WHERE id = ?").bind(1, id).run();
    tx.commit();
  });
}

// One row, replaced on every save (the reference keeps a fixed id too).
Result<std::optional<Viewport>> SqliteStore::viewport() {
  return guarded([&]() -> std::optional<Viewport> {
    auto& s = db_.prepare("SELECT x, y, zoom, saved_at FROM canvas_viewport ORDER BY saved_at DESC LIMIT 1");
    std::optional<Viewport> out;
    if (s.step()) out = Viewport{s.real(0), s.real(1), s.real(2), s.text(3)};
    s.reset();
    return out;
  });
}

Result<> SqliteStore::saveViewport(const Viewport& v) {
  return guarded([&] {
    db_.prepare(
           "INSERT INTO canvas_viewport (id, x, y, zoom, saved_at) VALUES ('default', ?1, ?2, ?3, ?4) "
           "ON CONFLICT (id) DO UPDATE SET x = excluded.x, y = excluded.y, zoom = excluded.zoom, "
           "saved_at = excluded.saved_at")
        .bind(1, v.x).bind(2, v.y).bind(3, v.zoom).bind(4, v.saved_at)
        .run();
  });
}

Result<std::int64_t> SqliteStore::appendEvent(const Event& e) {
  return guarded([&] { return insertEvent(e); });
}

Result<std::vector<Event>> SqliteStore::listEvents(const std::optional<std::string>& workspace_id, int limit) {
  return guarded([&] {
    auto& s = db_.prepare(
        "SELECT id, event_type, workspace_id, payload, created_at FROM structure_events"
        " WHERE ?1 IS NULL OR workspace_id = ?1 ORDER BY id DESC LIMIT ?2");
    s.bind(1, workspace_id).bind(2, limit);
    return collect(s, [](const Statement& r) {
      return Event{r.integer(0), r.text(1), r.optText(2), r.text(3), r.text(4)};
    });
  });
}

}  // namespace ws
