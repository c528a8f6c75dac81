// SqliteStore: plugins, schedules, memories, config documents and activity.

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "core/json.h"
#include "core/util.h"
#include "store/sqlite/sqlite_store.h"

namespace ws {

using sqlite::collect;
using sqlite::Statement;
using sqlite::Transaction;

Result<> SqliteStore::addPlugin(const PluginInstall& p) {
  return guarded([&] {
    db_.prepare("INSERT OR REPLACE INTO workspace_plugins (workspace_id, name, source, installed_at) VALUES (?,?,?,?)")
        .bind(1, p.workspace_id).bind(2, p.name).bind(3, p.source).bind(4, p.installed_at)
        .run();
  });
}

Result<bool> SqliteStore::removePlugin(const std::string& workspace_id, const std::string& name) {
  return guarded([&] {
    db_.prepare("DELETE FROM workspace_plugins WHERE workspace_id = ? AND name = ?").bind(1, workspace_id).bind(2, name).run();
    return db_.changes() > 0;
  });
}

Result<std::vector<PluginInstall>> SqliteStore::listPlugins(const std::string& workspace_id) {
  return guarded([&] {
    return collect(db_.prepare("SELECT workspace_id, name, source, installed_at FROM workspace_plugins "
                               "WHERE workspace_id = ? ORDER BY name")
                       .bind(1, workspace_id),
                   [](const Statement& r) { return PluginInstall{r.text(0), r.text(1), r.text(2), r.text(3)}; });
  });
}

Result<> SqliteStore::putSchedule(const ScheduleRecord& s) {
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

Result<bool> SqliteStore::deleteSchedule(const std::string& workspace_id, const std::string& id) {
  return guarded([&] {
    db_.prepare("DELETE FROM workspace_schedules WHERE workspace_id = ? AND id = ?").bind(1, workspace_id).bind(2, id).run();
    return db_.changes() > 0;
  });
}

namespace {

constexpr const char* kScheduleColumns =
    "s.id, s.workspace_id, s.name, s.cron_expr, s.timezone, s.prompt, s.enabled, s.last_run_at, s.next_run_at, "
    "s.run_count, s.last_status, s.last_error, s.source, s.created_at, s.updated_at ";

ScheduleRecord readSchedule(const Statement& r) {
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
}

}  // namespace

Result<std::vector<ScheduleRecord>> SqliteStore::listSchedules(const std::string& workspace_id) {
  return guarded([&] {
    auto& q = db_.prepare(std::string("SELECT ") + kScheduleColumns +
                          "FROM workspace_schedules s JOIN workspaces w ON w.id = s.workspace_id WHERE "
                          "(?1 <> '' AND s.workspace_id = ?1) OR (?1 = '' AND s.enabled AND w.status <> 'removed') "
                          "ORDER BY s.name, s.id");
    q.bind(1, workspace_id);
    return collect(q, readSchedule);
  });
}

Result<std::vector<ScheduleOverview>> SqliteStore::listAllSchedules() {
  return guarded([&] {
    auto& q = db_.prepare(std::string("SELECT ") + kScheduleColumns +
                          ", w.name FROM workspace_schedules s JOIN workspaces w ON w.id = s.workspace_id "
                          "WHERE w.status <> 'removed' ORDER BY w.name, w.id, s.name, s.id");
    return collect(q, [](const Statement& r) { return ScheduleOverview{readSchedule(r), r.text(15)}; });
  });
}

Result<> SqliteStore::insertMemory(const MemoryRecord& m) {
  return guarded([&] {
    db_.prepare("INSERT INTO agent_memories (id, workspace_id, content, scope, namespace, created_at) VALUES (?,?,?,?,?,?)")
        .bind(1, m.id).bind(2, m.workspace_id).bind(3, m.content).bind(4, m.scope).bind(5, m.memory_namespace)
        .bind(6, m.created_at)
        .run();
  });
}

Result<std::vector<MemoryRecord>> SqliteStore::listMemories(const MemoryFilter& f) {
  return guarded([&] {
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

Result<bool> SqliteStore::deleteMemory(const std::string& workspace_id, const std::string& id) {
  return guarded([&] {
    db_.prepare("DELETE FROM agent_memories WHERE workspace_id = ? AND id = ?").bind(1, workspace_id).bind(2, id).run();
    return db_.changes() > 0;
  });
}

Result<std::optional<std::string>> SqliteStore::workspaceConfig(const std::string& workspace_id) {
  return guarded([&]() -> std::optional<std::string> {
    auto& s = db_.prepare("SELECT data FROM workspace_config WHERE workspace_id = ?");
    s.bind(1, workspace_id);
    std::optional<std::string> out;
    if (s.step()) out = s.text(0);
    s.reset();
    return out;
  });
}

// Read, merge and write under the connection lock and one transaction, so concurrent patches of
// different keys both land (the reference's jsonb `||`).
Result<> SqliteStore::mergeWorkspaceConfig(const std::string& workspace_id, const std::string& patch,
                                           std::size_t max_bytes) {
  auto changes = parseJson(patch);
  if (!changes) return changes.error();
  if (!changes->is_object()) return makeError(Errc::invalid_argument, "config must be a JSON object");
  enum class Outcome { merged, no_workspace, too_large };
  auto outcome = guarded([&] {
    sqlite::Transaction tx(db_);
    auto& exists = db_.prepare("SELECT 1 FROM workspaces WHERE id = ?");
    exists.bind(1, workspace_id);
    const bool found = exists.step();
    exists.reset();
    if (!found) return Outcome::no_workspace;
    auto& current = db_.prepare("SELECT data FROM workspace_config WHERE workspace_id = ?");
    current.bind(1, workspace_id);
    auto doc = current.step() ? parseJsonOr(current.text(0), nlohmann::json::object()) : nlohmann::json::object();
    current.reset();
    if (!doc.is_object()) doc = nlohmann::json::object();
    for (const auto& [key, value] : changes->items()) doc[key] = value;
    const std::string merged = doc.dump();
    if (merged.size() > max_bytes) return Outcome::too_large;
    db_.prepare(
           "INSERT INTO workspace_config (workspace_id, data, updated_at) VALUES (?1, ?2, ?3) "
           "ON CONFLICT (workspace_id) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at")
        .bind(1, workspace_id).bind(2, merged).bind(3, nowTime())
        .run();
    tx.commit();
    return Outcome::merged;
  });
  if (!outcome) return outcome.error();
  if (*outcome == Outcome::no_workspace) return makeError(Errc::not_found, "workspace not found");
  if (*outcome == Outcome::too_large)
    return makeError(Errc::too_large, "config would exceed " + std::to_string(max_bytes >> 10) + " KiB");
  return {};
}

const char* const kActivityColumns =
    "id, workspace_id, activity_type, source_id, target_id, method, summary, request_body, response_body, "
    "tool_trace, duration_ms, status, error_detail, created_at, idempotency_key ";

ActivityRecord readActivity(const Statement& r) {
  return ActivityRecord{r.integer(0), r.text(1),     r.text(2),        r.optText(3),  r.optText(4),
                        r.text(5),    r.text(6),     r.optText(7),     r.optText(8),  r.optText(9),
                        r.optInteger(10), r.text(11), r.text(12),      r.text(13),    r.optText(14)};
}

namespace {

constexpr int kActivityParams = 14;
// Rows per INSERT statement for rows written behind: one statement for many rows opens the
// table's and indexes' cursors and updates AUTOINCREMENT's counter once, not once per row.
constexpr std::size_t kRowsPerInsert = 32;

// The INSERT for `rows` rows (1, 2, 4, ... kRowsPerInsert), built once per size.
const std::string& activityInsert(std::size_t rows) {
  static const auto texts = [] {
    std::vector<std::string> t(kRowsPerInsert + 1);
    for (std::size_t n = 1; n <= kRowsPerInsert; n *= 2) {
      t[n] = "INSERT INTO activity_logs (workspace_id, activity_type, source_id, target_id, method, summary, "
             "request_body, response_body, tool_trace, duration_ms, status, error_detail, created_at, "
             "idempotency_key) VALUES ";
      for (std::size_t i = 0; i < n; ++i) t[n] += i ? ",(?,?,?,?,?,?,?,?,?,?,?,?,?,?)" : "(?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
    }
    return t;
  }();
  return texts[rows];
}

// Binds `a` as the row whose first parameter is `first`; `a` must outlive the statement's run.
void bindActivity(Statement& s, int first, const ActivityRecord& a) {
  s.bindBorrowed(first, a.workspace_id).bindBorrowed(first + 1, a.activity_type).bindBorrowed(first + 2, a.source_id)
      .bindBorrowed(first + 3, a.target_id).bindBorrowed(first + 4, a.method).bindBorrowed(first + 5, a.summary)
      .bindBorrowed(first + 6, a.request_body).bindBorrowed(first + 7, a.response_body)
      .bindBorrowed(first + 8, a.tool_trace).bind(first + 9, a.duration_ms).bindBorrowed(first + 10, a.status)
      .bindBorrowed(first + 11, a.error_detail).bindBorrowed(first + 12, a.created_at)
      .bindBorrowed(first + 13, a.idempotency_key);
}

}  // namespace

std::int64_t SqliteStore::insertActivityRow(const ActivityRecord& a) {
  auto& s = db_.prepare(activityInsert(1));
  bindActivity(s, 1, a);
  s.run();
  return static_cast<std::int64_t>(sqlite3_last_insert_rowid(db_.handle()));
}

void SqliteStore::writeQueuedActivity(std::size_t most) {
  auto rows = activity_behind_.take(most);
  if (rows.empty()) return;
  Transaction tx(db_);
  for (std::size_t done = 0; done < rows.size();) {
    std::size_t n = kRowsPerInsert;
    while (n > rows.size() - done) n /= 2;
    try {
      auto& s = db_.prepare(activityInsert(n));
      for (std::size_t i = 0; i < n; ++i) bindActivity(s, static_cast<int>(i) * kActivityParams + 1, rows[done + i]);
      s.run();
    } catch (const sqlite::SqliteError&) {
      // The statement is undone whole; row by row, only the rows that cannot be written are
      // dropped (e.g. their workspace was purged meanwhile).
      for (std::size_t i = done; i < done + n; ++i) {
        try {
          insertActivityRow(rows[i]);
        } catch (const sqlite::SqliteError& e) {
          spdlog::warn("storage: activity row of {} dropped: {}", rows[i].workspace_id, e.what());
        }
      }
    }
    done += n;
  }
  tx.commit();
}

Result<std::int64_t> SqliteStore::insertActivity(const ActivityRecord& a) {
  return withActivity([&] { return insertActivityRow(a); });
}

Result<std::vector<ActivityRecord>> SqliteStore::listActivity(const ActivityFilter& f) {
  return withActivity([&] {
    auto& s = db_.prepare(std::string("SELECT ") + kActivityColumns +
                          "FROM activity_logs WHERE workspace_id = ?1 "
                          "AND (?2 IS NULL OR activity_type = ?2) "
                          "AND (?3 IS NULL OR (?3 = 1 AND source_id IS NOT NULL) OR (?3 = 0 AND source_id IS NULL)) "
                          "AND (?4 IS NULL OR source_id = ?4 OR target_id = ?4) "
                          "AND (?5 IS NULL OR created_at < ?5) "
                          "AND (?7 = '[]' OR method IN (SELECT value FROM json_each(?7))) "
                          "AND (?8 IS NULL OR id > ?8) " +
                          (f.oldest_first ? "ORDER BY id LIMIT ?6" : "ORDER BY created_at DESC, id DESC LIMIT ?6"));
    s.bind(1, f.workspace_id).bind(2, f.type).bind(3, f.from_agent).bind(4, f.peer_id)
        .bind(5, f.before_ts).bind(6, f.limit).bind(7, nlohmann::json(f.methods).dump()).bind(8, f.after_id);
    return collect(s, readActivity);
  });
}

Result<std::vector<ActivityRecord>> SqliteStore::listConversation(const ConversationFilter& f) {
  return withActivity([&] {
    auto& s = db_.prepare(std::string("SELECT ") + kActivityColumns +
                          "FROM activity_logs WHERE activity_type IN ('a2a_send', 'a2a_receive') "
                          "AND ((source_id = ?1 AND target_id = ?2) OR (source_id = ?2 AND target_id = ?1)) "
                          "AND workspace_id IN (?1, ?2) AND (?3 IS NULL OR created_at < ?3) "
                          "ORDER BY created_at DESC, id DESC LIMIT ?4");
    s.bind(1, f.self).bind(2, f.peer).bind(3, f.before_ts).bind(4, f.limit);
    return collect(s, readActivity);
  });
}

Result<std::int64_t> SqliteStore::purgeActivityBefore(const std::string& older_than) {
  return withActivity([&] {
    // By workspace, on activity_logs_workspace: there is no index by time alone (migration 20).
    db_.prepare("DELETE FROM activity_logs WHERE workspace_id IN (SELECT id FROM workspaces) AND created_at < ?")
        .bind(1, older_than)
        .run();
    return static_cast<std::int64_t>(db_.changes());
  });
}

Result<> SqliteStore::putWorkspaceFiles(const std::string& workspace_id, const std::map<std::string, std::string>& files) {
  return guarded([&] {
    Transaction tx(db_);
    db_.prepare("DELETE FROM workspace_files WHERE workspace_id = ?").bind(1, workspace_id).run();
    for (const auto& [path, content] : files)
      db_.prepare("INSERT INTO workspace_files (workspace_id, path, content) VALUES (?,?,?)")
          .bind(1, workspace_id).bind(2, path).bind(3, content)
          .run();
    tx.commit();
  });
}

Result<std::map<std::string, std::string>> SqliteStore::workspaceFiles(const std::string& workspace_id) {
  return guarded([&] {
    auto& s = db_.prepare("SELECT path, content FROM workspace_files WHERE workspace_id = ? ORDER BY path");
    s.bind(1, workspace_id);
    std::map<std::string, std::string> out;
    while (s.step()) out.emplace(s.text(0), s.text(1));
    s.reset();
    return out;
  });
}

Result<> SqliteStore::addTokenUsage(const std::string& workspace_id, const std::string& period_start,
                                    const TokenUsage& delta) {
  return guarded([&] {
    db_.prepare(
           "INSERT INTO workspace_token_usage (workspace_id, period_start, input_tokens, output_tokens, call_count, "
           "estimated_cost_micros, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) "
           "ON CONFLICT (workspace_id, period_start) DO UPDATE SET "
           "input_tokens = input_tokens + excluded.input_tokens, output_tokens = output_tokens + excluded.output_tokens, "
           "call_count = call_count + excluded.call_count, "
           "estimated_cost_micros = estimated_cost_micros + excluded.estimated_cost_micros, updated_at = excluded.updated_at")
        .bind(1, workspace_id).bind(2, period_start).bind(3, delta.input_tokens).bind(4, delta.output_tokens)
        .bind(5, delta.call_count).bind(6, delta.estimated_cost_micros).bind(7, nowTime())
        .run();
  });
}

Result<TokenUsage> SqliteStore::tokenUsage(const std::string& workspace_id, const std::string& period_start) {
  return guarded([&] {
    auto& q = db_.prepare("SELECT input_tokens, output_tokens, call_count, estimated_cost_micros FROM workspace_token_usage "
                          "WHERE workspace_id = ? AND period_start = ?");
    q.bind(1, workspace_id).bind(2, period_start);
    TokenUsage u;
    if (q.step()) u = TokenUsage{q.integer(0), q.integer(1), q.integer(2), q.integer(3)};
    q.reset();  // an active statement would hold its read snapshot open
    return u;
  });
}

}  // namespace ws
