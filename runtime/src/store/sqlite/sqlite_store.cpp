// The embedded Store: one SQLite connection in WAL mode, serialised by a mutex. SQLite
// writes are single-writer anyway; reads are short and indexed.

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <mutex>
#include <sstream>

#include "core/util.h"
#include "store/migrations/migrations.h"
#include "store/sqlite/sqlite_db.h"
#include "ws/store.h"

namespace ws {
namespace {

using sqlite::Database;
using sqlite::SqliteError;
using sqlite::Statement;
using sqlite::Transaction;

constexpr const char* kWorkspaceColumns =
    "w.id, w.name, w.role, w.tier, w.status, w.agent_card, w.url, w.parent_id, w.active_tasks, "
    "w.max_concurrent_tasks, w.last_error_rate, w.last_sample_error, w.uptime_seconds, "
    "w.current_task, w.runtime, w.model, w.workspace_dir, w.workspace_access, w.monthly_spend, "
    "w.budget_limit, w.awareness_namespace, w.instance_id, w.external, w.last_heartbeat_at, "
    "w.last_outbound_at, w.created_at, w.updated_at, COALESCE(l.x, 0), COALESCE(l.y, 0), "
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
  w.x = s.real(c++);
  w.y = s.real(c++);
  w.collapsed = s.integer(c++) != 0;
  return w;
}

std::string statusList(const std::set<Status>& statuses) {
  std::string out;
  for (Status s : statuses) {
    if (!out.empty()) out += ",";
    out += "'" + std::string(toString(s)) + "'";
  }
  return out;
}

TokenRecord readToken(const Statement& s) {
  return TokenRecord{s.text(0), s.text(1), s.text(2), s.text(3), s.text(4), s.optText(5)};
}

WorkspaceRef readRef(const Statement& s) { return WorkspaceRef{s.text(0), s.text(1)}; }

// Reads every remaining row of `s` with `read`.
template <class Reader>
auto collect(Statement& s, Reader read) -> std::vector<decltype(read(s))> {
  std::vector<decltype(read(s))> out;
  while (s.step()) out.push_back(read(s));
  return out;
}

class SqliteStore final : public Store {
 public:
  explicit SqliteStore(const std::string& path) : db_(path) {
    db_.exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;");
    migrate();
  }

  Result<> insertWorkspaces(const std::vector<NewWorkspace>& rows) override {
    return guarded([&] {
      Transaction tx(db_);
      for (const auto& [w, created] : rows) insertWorkspaceRow(w, created);
      tx.commit();
    });
  }

  // One workspace with its canvas row and event, inside the caller's transaction.
  void insertWorkspaceRow(const Workspace& w, const Event& created) {
    db_.prepare(
           "INSERT INTO workspaces (id, name, role, tier, status, agent_card, url, parent_id, "
           "max_concurrent_tasks, runtime, model, workspace_dir, workspace_access, "
           "budget_limit, awareness_namespace, external, created_at, updated_at) "
           "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")
        .bind(1, w.id).bind(2, w.name).bind(3, w.role).bind(4, w.tier)
        .bind(5, toString(w.status)).bind(6, w.agent_card).bind(7, w.url).bind(8, w.parent_id)
        .bind(9, w.max_concurrent_tasks).bind(10, w.runtime).bind(11, w.model)
        .bind(12, w.workspace_dir).bind(13, w.workspace_access).bind(14, w.budget_limit)
        .bind(15, w.awareness_namespace).bind(16, w.external).bind(17, w.created_at)
        .bind(18, w.updated_at)
        .run();
    db_.prepare("INSERT INTO canvas_layouts (workspace_id, x, y, collapsed) VALUES (?,?,?,?)")
        .bind(1, w.id).bind(2, w.x).bind(3, w.y).bind(4, w.collapsed)
        .run();
    insertEvent(created);
  }

  Result<std::optional<Workspace>> findWorkspace(const std::string& id) override {
    return guarded([&]() -> std::optional<Workspace> {
      auto& s = db_.prepare(std::string("SELECT ") + kWorkspaceColumns + "WHERE w.id = ?");
      s.bind(1, id);
      std::optional<Workspace> out;
      if (s.step()) out = readWorkspace(s);
      s.reset();
      return out;
    });
  }

  Result<std::vector<Workspace>> listWorkspaces() override {
    return guarded([&] {
      return collect(db_.prepare(std::string("SELECT ") + kWorkspaceColumns +
                                 "WHERE w.status <> 'removed' ORDER BY w.created_at, w.id"),
                     readWorkspace);
    });
  }

  Result<std::vector<Workspace>> listByStatus(const std::set<Status>& statuses) override {
    return guarded([&] {
      std::string sql = std::string("SELECT ") + kWorkspaceColumns;
      if (!statuses.empty()) sql += "WHERE w.status IN (" + statusList(statuses) + ") ";
      return collect(db_.prepare(sql + "ORDER BY w.created_at, w.id"), readWorkspace);
    });
  }

  Result<bool> updateWorkspace(const std::string& id, const WorkspaceUpdate& u) override {
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
      add(u.workspace_dir.has_value(), "workspace_dir");
      add(u.workspace_access.has_value(), "workspace_access");
      add(u.url.has_value(), "url");
      add(u.instance_id.has_value(), "instance_id");
      add(u.agent_card.has_value(), "agent_card");
      add(u.budget_limit.has_value(), "budget_limit");
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
      if (u.workspace_dir) st.bind(i++, *u.workspace_dir);
      if (u.workspace_access) st.bind(i++, *u.workspace_access);
      if (u.url) st.bind(i++, *u.url);
      if (u.instance_id) st.bind(i++, *u.instance_id);
      if (u.agent_card) st.bind(i++, *u.agent_card);
      if (u.budget_limit) st.bind(i++, *u.budget_limit);
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

  Result<bool> transition(const Transition& t) override {
    return guarded([&] {
      Transaction tx(db_);
      std::string sql = "UPDATE workspaces SET status = ?, updated_at = ?";
      if (t.url) sql += ", url = ?";
      if (t.last_sample_error) sql += ", last_sample_error = ?";
      sql += " WHERE id = ? AND status <> 'removed'";
      if (!t.from.empty()) sql += " AND status IN (" + statusList(t.from) + ")";
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

  Result<bool> recordHeartbeat(const HeartbeatUpdate& h) override {
    return guarded([&] {
      db_.prepare(
             "UPDATE workspaces SET last_heartbeat_at = ?, last_error_rate = ?, "
             "last_sample_error = ?, active_tasks = ?, uptime_seconds = ?, current_task = ?, "
             "monthly_spend = COALESCE(?, monthly_spend) WHERE id = ? AND status <> 'removed'")
          .bind(1, nowTime()).bind(2, h.error_rate).bind(3, h.sample_error)
          .bind(4, h.active_tasks).bind(5, h.uptime_seconds).bind(6, h.current_task)
          .bind(7, h.monthly_spend).bind(8, h.workspace_id)
          .run();
      return db_.changes() > 0;
    });
  }

  Result<std::vector<std::string>> provisioningSince(const std::string& older_than) override {
    return guarded([&] {
      auto& s = db_.prepare(
          "SELECT id FROM workspaces WHERE status = 'provisioning' AND updated_at < ?");
      s.bind(1, older_than);
      return collect(s, [](const Statement& r) { return r.text(0); });
    });
  }

  Result<std::vector<WorkspaceRef>> children(const std::string& id) override {
    return guarded([&] {
      auto& s = db_.prepare(
          "SELECT id, name FROM workspaces WHERE parent_id = ? AND status <> 'removed' "
          "ORDER BY created_at, id");
      s.bind(1, id);
      return collect(s, readRef);
    });
  }

  Result<std::vector<WorkspaceRef>> descendants(const std::string& id) override {
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

  Result<> markRemoved(const std::vector<std::string>& ids, const std::vector<Event>& events) override {
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

  Result<> purge(const std::vector<std::string>& ids) override {
    return guarded([&] {
      Transaction tx(db_);
      for (const auto& id : ids) {
        for (const char* table : {"activity_logs", "workspace_auth_tokens", "canvas_layouts", "workspace_secrets", "workspace_plugins",
                                  "agent_memories", "workspace_schedules"})
          db_.prepare(std::string("DELETE FROM ") + table + " WHERE workspace_id = ?").bind(1, id).run();
        db_.prepare("UPDATE workspaces SET parent_id = NULL WHERE parent_id = ?").bind(1, id).run();
        db_.prepare("UPDATE workspaces SET forwarded_to = NULL WHERE forwarded_to = ?").bind(1, id).run();
      }
      for (const auto& id : ids) db_.prepare("DELETE FROM workspaces WHERE id = ?").bind(1, id).run();
      tx.commit();
    });
  }

  Result<std::int64_t> appendEvent(const Event& e) override {
    return guarded([&] { return insertEvent(e); });
  }

  Result<std::vector<Event>> listEvents(const std::optional<std::string>& workspace_id,
                                        int limit) override {
    return guarded([&] {
      auto& s = db_.prepare(
          "SELECT id, event_type, workspace_id, payload, created_at FROM ("
          " SELECT * FROM structure_events WHERE ?1 IS NULL OR workspace_id = ?1"
          " ORDER BY id DESC LIMIT ?2) ORDER BY id");
      s.bind(1, workspace_id).bind(2, limit);
      return collect(s, [](const Statement& r) {
        return Event{r.integer(0), r.text(1), r.optText(2), r.text(3), r.text(4)};
      });
    });
  }

  Result<> insertToken(const TokenRecord& t) override {
    return guarded([&] {
      db_.prepare(
             "INSERT INTO workspace_auth_tokens (id, workspace_id, token_hash, prefix, created_at) "
             "VALUES (?,?,?,?,?)")
          .bind(1, t.id).bind(2, t.workspace_id).bind(3, t.hash_hex).bind(4, t.prefix)
          .bind(5, t.created_at)
          .run();
    });
  }

  Result<std::vector<TokenRecord>> liveTokens(const std::string& workspace_id) override {
    return guarded([&] {
      auto& s = db_.prepare(
          "SELECT id, workspace_id, token_hash, prefix, created_at, last_used_at "
          "FROM workspace_auth_tokens WHERE workspace_id = ? AND revoked_at IS NULL "
          "ORDER BY created_at, id");
      s.bind(1, workspace_id);
      return collect(s, readToken);
    });
  }

  Result<bool> hasLiveToken(const std::string& workspace_id) override {
    return guarded([&] {
      auto& s = db_.prepare(
          "SELECT 1 FROM workspace_auth_tokens WHERE workspace_id = ? AND revoked_at IS NULL LIMIT 1");
      s.bind(1, workspace_id);
      const bool found = s.step();
      s.reset();
      return found;
    });
  }

  Result<bool> anyLiveToken() override {
    return guarded([&] {
      auto& s = db_.prepare(
          "SELECT 1 FROM workspace_auth_tokens t JOIN workspaces w ON w.id = t.workspace_id "
          "WHERE t.revoked_at IS NULL AND w.status <> 'removed' LIMIT 1");
      const bool found = s.step();
      s.reset();
      return found;
    });
  }

  Result<std::optional<TokenRecord>> findLiveToken(const std::string& hash_hex) override {
    return guarded([&]() -> std::optional<TokenRecord> {
      auto& s = db_.prepare(
          "SELECT t.id, t.workspace_id, t.token_hash, t.prefix, t.created_at, t.last_used_at "
          "FROM workspace_auth_tokens t JOIN workspaces w ON w.id = t.workspace_id "
          "WHERE t.token_hash = ? AND t.revoked_at IS NULL AND w.status <> 'removed'");
      s.bind(1, hash_hex);
      std::optional<TokenRecord> out;
      if (s.step()) out = readToken(s);
      s.reset();
      return out;
    });
  }

  Result<bool> revokeToken(const std::string& workspace_id, const std::string& token_id) override {
    return guarded([&] {
      db_.prepare(
             "UPDATE workspace_auth_tokens SET revoked_at = ? WHERE id = ? AND workspace_id = ? "
             "AND revoked_at IS NULL")
          .bind(1, nowTime()).bind(2, token_id).bind(3, workspace_id)
          .run();
      return db_.changes() > 0;
    });
  }

  Result<> revokeAllTokens(const std::string& workspace_id) override {
    return guarded([&] { revokeAll(workspace_id, nowTime()); });
  }

  Result<> touchToken(const std::string& token_id) override {
    return guarded([&] {
      db_.prepare("UPDATE workspace_auth_tokens SET last_used_at = ? WHERE id = ?")
          .bind(1, nowTime()).bind(2, token_id)
          .run();
    });
  }

  Result<std::set<std::string>> globalSecretKeys() override {
    return guarded([&] {
      auto keys = collect(db_.prepare("SELECT key FROM global_secrets"), [](const Statement& r) { return r.text(0); });
      return std::set<std::string>(keys.begin(), keys.end());
    });
  }

  Result<> putSecret(const SecretRecord& s) override {
    return guarded([&] {
      if (s.workspace_id.empty()) {
        db_.prepare(
               "INSERT INTO global_secrets (key, encrypted_value, encryption_version, created_at, updated_at) "
               "VALUES (?1, ?2, ?3, ?4, ?4) ON CONFLICT (key) DO UPDATE SET encrypted_value = excluded.encrypted_value, "
               "encryption_version = excluded.encryption_version, updated_at = excluded.updated_at")
            .bind(1, s.key).bindBlob(2, s.value).bind(3, s.encryption_version).bind(4, s.updated_at)
            .run();
        return;
      }
      db_.prepare(
             "INSERT INTO workspace_secrets (workspace_id, key, encrypted_value, encryption_version, created_at, "
             "updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?5) ON CONFLICT (workspace_id, key) DO UPDATE SET "
             "encrypted_value = excluded.encrypted_value, encryption_version = excluded.encryption_version, "
             "updated_at = excluded.updated_at")
          .bind(1, s.workspace_id).bind(2, s.key).bindBlob(3, s.value).bind(4, s.encryption_version)
          .bind(5, s.updated_at)
          .run();
    });
  }

  Result<bool> deleteSecret(const std::string& workspace_id, const std::string& key) override {
    return guarded([&] {
      if (workspace_id.empty()) db_.prepare("DELETE FROM global_secrets WHERE key = ?").bind(1, key).run();
      else db_.prepare("DELETE FROM workspace_secrets WHERE workspace_id = ? AND key = ?").bind(1, workspace_id).bind(2, key).run();
      return db_.changes() > 0;
    });
  }

  Result<std::vector<SecretRecord>> listSecrets(const std::string& workspace_id) override {
    return guarded([&] {
      auto& q = workspace_id.empty()
                    ? db_.prepare("SELECT '', key, encrypted_value, encryption_version, created_at, updated_at "
                                  "FROM global_secrets ORDER BY key")
                    : db_.prepare("SELECT workspace_id, key, encrypted_value, encryption_version, created_at, updated_at "
                                  "FROM workspace_secrets WHERE workspace_id = ? ORDER BY key")
                          .bind(1, workspace_id);
      return collect(q, [](const Statement& r) {
        return SecretRecord{r.text(0), r.text(1), r.blob(2), static_cast<int>(r.integer(3)), r.text(4), r.text(5)};
      });
    });
  }

  Result<> addPlugin(const PluginInstall& p) override {
    return guarded([&] {
      db_.prepare("INSERT OR REPLACE INTO workspace_plugins (workspace_id, name, source, installed_at) VALUES (?,?,?,?)")
          .bind(1, p.workspace_id).bind(2, p.name).bind(3, p.source).bind(4, p.installed_at)
          .run();
    });
  }

  Result<bool> removePlugin(const std::string& workspace_id, const std::string& name) override {
    return guarded([&] {
      db_.prepare("DELETE FROM workspace_plugins WHERE workspace_id = ? AND name = ?").bind(1, workspace_id).bind(2, name).run();
      return db_.changes() > 0;
    });
  }

  Result<std::vector<PluginInstall>> listPlugins(const std::string& workspace_id) override {
    return guarded([&] {
      return collect(db_.prepare("SELECT workspace_id, name, source, installed_at FROM workspace_plugins "
                                 "WHERE workspace_id = ? ORDER BY name")
                         .bind(1, workspace_id),
                     [](const Statement& r) { return PluginInstall{r.text(0), r.text(1), r.text(2), r.text(3)}; });
    });
  }

  Result<> putSchedule(const ScheduleRecord& s) override {
    return guarded([&] {
      db_.prepare(
             "INSERT OR REPLACE INTO workspace_schedules (id, workspace_id, name, cron_expr, timezone, prompt, enabled, "
             "last_run_at, next_run_at, run_count, last_status, last_error, source, created_at, updated_at) "
             "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")
          .bind(1, s.id).bind(2, s.workspace_id).bind(3, s.name).bind(4, s.cron_expr).bind(5, s.timezone)
          .bind(6, s.prompt).bind(7, s.enabled).bind(8, s.last_run_at).bind(9, s.next_run_at).bind(10, s.run_count)
          .bind(11, s.last_status).bind(12, s.last_error).bind(13, s.source).bind(14, s.created_at).bind(15, s.updated_at)
          .run();
    });
  }

  Result<bool> deleteSchedule(const std::string& workspace_id, const std::string& id) override {
    return guarded([&] {
      db_.prepare("DELETE FROM workspace_schedules WHERE workspace_id = ? AND id = ?").bind(1, workspace_id).bind(2, id).run();
      return db_.changes() > 0;
    });
  }

  Result<std::vector<ScheduleRecord>> listSchedules(const std::string& workspace_id) override {
    return guarded([&] {
      auto& q = db_.prepare(
          "SELECT s.id, s.workspace_id, s.name, s.cron_expr, s.timezone, s.prompt, s.enabled, s.last_run_at, "
          "s.next_run_at, s.run_count, s.last_status, s.last_error, s.source, s.created_at, s.updated_at "
          "FROM workspace_schedules s JOIN workspaces w ON w.id = s.workspace_id WHERE "
          "(?1 <> '' AND s.workspace_id = ?1) OR (?1 = '' AND s.enabled AND w.status <> 'removed') ORDER BY s.name, s.id");
      q.bind(1, workspace_id);
      return collect(q, [](const Statement& r) {
        ScheduleRecord s;
        s.id = r.text(0);
        s.workspace_id = r.text(1);
        s.name = r.text(2);
        s.cron_expr = r.text(3);
        s.timezone = r.text(4);
        s.prompt = r.text(5);
        s.enabled = r.integer(6) != 0;
        s.last_run_at = r.optText(7);
        s.next_run_at = r.optText(8);
        s.run_count = r.integer(9);
        s.last_status = r.text(10);
        s.last_error = r.text(11);
        s.source = r.text(12);
        s.created_at = r.text(13);
        s.updated_at = r.text(14);
        return s;
      });
    });
  }

  Result<> insertMemory(const MemoryRecord& m) override {
    return guarded([&] {
      db_.prepare("INSERT INTO agent_memories (id, workspace_id, content, scope, namespace, created_at) VALUES (?,?,?,?,?,?)")
          .bind(1, m.id).bind(2, m.workspace_id).bind(3, m.content).bind(4, m.scope).bind(5, m.memory_namespace)
          .bind(6, m.created_at)
          .run();
    });
  }

  Result<std::vector<MemoryRecord>> listMemories(const MemoryFilter& f) override {
    return guarded([&] {
      // Ids travel as JSON arrays, so one prepared statement serves any number of them.
      auto& q = db_.prepare(
          "SELECT id, workspace_id, content, scope, namespace, created_at FROM agent_memories WHERE ("
          " workspace_id IN (SELECT value FROM json_each(?1))"
          " OR (scope = 'TEAM' AND workspace_id IN (SELECT value FROM json_each(?2)))"
          " OR (?3 AND scope = 'GLOBAL'))"
          " AND (?4 IS NULL OR scope = ?4) AND (?5 IS NULL OR instr(lower(content), lower(?5)) > 0)"
          " AND (?6 IS NULL OR namespace = ?6) ORDER BY created_at DESC, id LIMIT ?7");
      q.bind(1, nlohmann::json(f.local_of).dump()).bind(2, nlohmann::json(f.team_of).dump()).bind(3, f.global)
          .bind(4, f.scope).bind(5, f.query).bind(6, f.memory_namespace).bind(7, f.limit);
      return collect(q, [](const Statement& r) {
        return MemoryRecord{r.text(0), r.text(1), r.text(2), r.text(3), r.text(4), r.text(5)};
      });
    });
  }

  Result<bool> deleteMemory(const std::string& workspace_id, const std::string& id) override {
    return guarded([&] {
      db_.prepare("DELETE FROM agent_memories WHERE workspace_id = ? AND id = ?").bind(1, workspace_id).bind(2, id).run();
      return db_.changes() > 0;
    });
  }

  Result<std::int64_t> insertActivity(const ActivityRecord& a) override {
    return guarded([&] {
      db_.prepare(
             "INSERT INTO activity_logs (workspace_id, activity_type, source_id, target_id, method, "
             "summary, request_body, response_body, tool_trace, duration_ms, status, error_detail, "
             "created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)")
          .bind(1, a.workspace_id).bind(2, a.activity_type).bind(3, a.source_id)
          .bind(4, a.target_id).bind(5, a.method).bind(6, a.summary).bind(7, a.request_body)
          .bind(8, a.response_body).bind(9, a.tool_trace).bind(10, a.duration_ms)
          .bind(11, a.status).bind(12, a.error_detail).bind(13, a.created_at)
          .run();
      return static_cast<std::int64_t>(sqlite3_last_insert_rowid(db_.handle()));
    });
  }

  Result<std::vector<ActivityRecord>> listActivity(const ActivityFilter& f) override {
    return guarded([&] {
      auto& s = db_.prepare(
          "SELECT id, workspace_id, activity_type, source_id, target_id, method, summary, "
          "request_body, response_body, tool_trace, duration_ms, status, error_detail, created_at "
          "FROM activity_logs WHERE workspace_id = ?1 "
          "AND (?2 IS NULL OR activity_type = ?2) "
          "AND (?3 IS NULL OR (?3 = 1 AND source_id IS NOT NULL) OR (?3 = 0 AND source_id IS NULL)) "
          "AND (?4 IS NULL OR source_id = ?4 OR target_id = ?4) "
          "AND (?5 IS NULL OR created_at < ?5) "
          "ORDER BY created_at DESC, id DESC LIMIT ?6");
      s.bind(1, f.workspace_id).bind(2, f.type).bind(3, f.from_agent).bind(4, f.peer_id)
          .bind(5, f.before_ts).bind(6, f.limit);
      return collect(s, [](const Statement& r) {
        return ActivityRecord{r.integer(0), r.text(1), r.text(2), r.optText(3), r.optText(4),
                              r.text(5), r.text(6), r.optText(7), r.optText(8), r.optText(9),
                              r.optInteger(10), r.text(11), r.text(12), r.text(13)};
      });
    });
  }

 private:
  // Runs `fn` under the connection lock and turns database exceptions into error values.
  template <class Fn>
  auto guarded(Fn fn) -> Result<decltype(fn())> {
    std::lock_guard lock(mutex_);
    try {
      if constexpr (std::is_void_v<decltype(fn())>) {
        fn();
        return {};
      } else {
        return fn();
      }
    } catch (const SqliteError& e) {
      spdlog::error("storage: {}", e.what());
      return makeError(Errc::storage_error, "storage error");
    }
  }

  std::int64_t insertEvent(const Event& e) {
    db_.prepare(
           "INSERT INTO structure_events (event_type, workspace_id, payload, created_at) "
           "VALUES (?,?,?,?)")
        .bind(1, e.event_type).bind(2, e.workspace_id).bind(3, e.payload)
        .bind(4, e.created_at.empty() ? nowTime() : e.created_at)
        .run();
    return sqlite3_last_insert_rowid(db_.handle());
  }

  void revokeAll(const std::string& workspace_id, const std::string& now) {
    db_.prepare(
           "UPDATE workspace_auth_tokens SET revoked_at = ? WHERE workspace_id = ? AND revoked_at IS NULL")
        .bind(1, now).bind(2, workspace_id)
        .run();
  }

  void migrate() {
    db_.exec(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
        "applied_at TEXT NOT NULL)");
    for (const auto& m : migrations::all()) {
      auto& s = db_.prepare("SELECT 1 FROM schema_migrations WHERE version = ?");
      s.bind(1, m.version);
      const bool applied = s.step();
      s.reset();
      if (applied) continue;
      Transaction tx(db_);
      db_.exec(std::string(m.sql));
      db_.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?,?,?)")
          .bind(1, m.version).bind(2, m.name).bind(3, nowTime())
          .run();
      tx.commit();
      spdlog::info("storage: applied migration {:03d} ({})", m.version, m.name);
    }
  }

  std::mutex mutex_;
  Database db_;
};

}  // namespace

Result<StorePtr> openSqliteStore(const std::string& path) {
  try {
    return StorePtr(std::make_unique<SqliteStore>(path));
  } catch (const SqliteError& e) {
    return makeError(Errc::storage_error, e.what());
  }
}

}  // namespace ws
