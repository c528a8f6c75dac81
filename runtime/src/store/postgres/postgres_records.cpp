// PostgresStore: plugins, schedules, memories, config documents, workspace files, token usage
// and activity.

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "core/json.h"
#include "core/util.h"
#include "store/postgres/postgres_store.h"

namespace ws {

using pg::collect;

Result<> PostgresStore::addPlugin(const PluginInstall& p) {
  return single([&](pg::Session& s) {
    s.exec("INSERT INTO workspace_plugins (workspace_id, name, source, installed_at) VALUES ($1, $2, $3, $4) "
           "ON CONFLICT (workspace_id, name) DO UPDATE SET source = excluded.source, installed_at = excluded.installed_at",
           p.workspace_id, p.name, p.source, p.installed_at);
  });
}

Result<bool> PostgresStore::removePlugin(const std::string& workspace_id, const std::string& name) {
  return single([&](pg::Session& s) {
    return s.exec("DELETE FROM workspace_plugins WHERE workspace_id = $1 AND name = $2", workspace_id, name)
               .affected_rows() > 0;
  });
}

Result<std::vector<PluginInstall>> PostgresStore::listPlugins(const std::string& workspace_id) {
  return single([&](pg::Session& s) {
    return collect(s.exec("SELECT workspace_id, name, source, installed_at FROM workspace_plugins "
                          "WHERE workspace_id = $1 ORDER BY name",
                          workspace_id),
                   [](const pqxx::row& r) {
                     return PluginInstall{pg::text(r[0]), pg::text(r[1]), pg::text(r[2]), pg::text(r[3])};
                   });
  });
}

// By id; another schedule of the workspace with the same name is a conflict (the handlers
// check first, so this is the race between two of them).
Result<> PostgresStore::putSchedule(const ScheduleRecord& sc) {
  auto name_taken = single([&](pg::Session& s) {
    try {
      s.execParams(
          "INSERT INTO workspace_schedules (id, workspace_id, name, cron_expr, timezone, prompt, enabled, "
          "last_run_at, next_run_at, run_count, last_status, last_error, source, created_at, updated_at) "
          "VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15) ON CONFLICT (id) DO UPDATE SET "
          "workspace_id = excluded.workspace_id, name = excluded.name, cron_expr = excluded.cron_expr, "
          "timezone = excluded.timezone, prompt = excluded.prompt, enabled = excluded.enabled, "
          "last_run_at = excluded.last_run_at, next_run_at = excluded.next_run_at, run_count = excluded.run_count, "
          "last_status = excluded.last_status, last_error = excluded.last_error, source = excluded.source, "
          "created_at = excluded.created_at, updated_at = excluded.updated_at",
          {pg::param(sc.id), pg::param(sc.workspace_id), pg::param(sc.name), pg::param(sc.cron_expr),
           pg::param(sc.timezone), pg::param(sc.prompt), pg::param(sc.enabled), pg::param(sc.last_run_at),
           pg::param(sc.next_run_at), pg::param(sc.run_count), pg::param(sc.last_status), pg::param(sc.last_error),
           pg::param(sc.source), pg::param(sc.created_at), pg::param(sc.updated_at)});
      return false;
    } catch (const pqxx::unique_violation&) {  // autocommit: the connection stays usable
      return true;
    }
  });
  if (!name_taken) return name_taken.error();
  if (*name_taken) return makeError(Errc::conflict, "a schedule named " + sc.name + " exists");
  return {};
}

Result<bool> PostgresStore::deleteSchedule(const std::string& workspace_id, const std::string& id) {
  return single([&](pg::Session& s) {
    return s.exec("DELETE FROM workspace_schedules WHERE workspace_id = $1 AND id = $2", workspace_id, id)
               .affected_rows() > 0;
  });
}

namespace {

constexpr const char* kScheduleColumns =
    "s.id, s.workspace_id, s.name, s.cron_expr, s.timezone, s.prompt, s.enabled, s.last_run_at, s.next_run_at, "
    "s.run_count, s.last_status, s.last_error, s.source, s.created_at, s.updated_at ";

ScheduleRecord readSchedule(const pqxx::row& r) {
  ScheduleRecord s;
  s.id = pg::text(r[0]);
  s.workspace_id = pg::text(r[1]);
  s.name = pg::text(r[2]);
  s.cron_expr = pg::text(r[3]);
  s.timezone = pg::text(r[4]);
  s.prompt = pg::text(r[5]);
  s.enabled = pg::boolean(r[6]);
  s.last_run_at = pg::optText(r[7]);
  s.next_run_at = pg::optText(r[8]);
  s.run_count = pg::integer(r[9]);
  s.last_status = pg::text(r[10]);
  s.last_error = pg::text(r[11]);
  s.source = pg::text(r[12]);
  s.created_at = pg::text(r[13]);
  s.updated_at = pg::text(r[14]);
  return s;
}

}  // namespace

Result<std::vector<ScheduleRecord>> PostgresStore::listSchedules(const std::string& workspace_id) {
  return single([&](pg::Session& s) {
    return collect(s.exec(std::string("SELECT ") + kScheduleColumns +
                              "FROM workspace_schedules s JOIN workspaces w ON w.id = s.workspace_id WHERE "
                              "($1 <> '' AND s.workspace_id = $1) OR ($1 = '' AND s.enabled AND w.status <> 'removed') "
                              "ORDER BY s.name, s.id",
                          workspace_id),
                   readSchedule);
  });
}

Result<std::vector<ScheduleOverview>> PostgresStore::listAllSchedules() {
  return single([&](pg::Session& s) {
    return collect(s.exec(std::string("SELECT ") + kScheduleColumns +
                          ", w.name FROM workspace_schedules s JOIN workspaces w ON w.id = s.workspace_id "
                          "WHERE w.status <> 'removed' ORDER BY w.name, w.id, s.name, s.id"),
                   [](const pqxx::row& r) { return ScheduleOverview{readSchedule(r), pg::text(r[15])}; });
  });
}

Result<> PostgresStore::insertMemory(const MemoryRecord& m) {
  return single([&](pg::Session& s) {
    s.exec("INSERT INTO agent_memories (id, workspace_id, content, scope, namespace, created_at) "
           "VALUES ($1, $2, $3, $4, $5, $6)",
           m.id, m.workspace_id, m.content, m.scope, m.memory_namespace, m.created_at);
  });
}

// lower() under collation "C" folds ASCII only, as SQLite's does.
Result<std::vector<MemoryRecord>> PostgresStore::listMemories(const MemoryFilter& f) {
  return single([&](pg::Session& s) {
    auto r = s.exec(
        "SELECT id, workspace_id, content, scope, namespace, created_at FROM agent_memories WHERE ("
        " workspace_id IN (SELECT jsonb_array_elements_text($1::jsonb))"
        " OR (scope = 'TEAM' AND workspace_id IN (SELECT jsonb_array_elements_text($2::jsonb)))"
        " OR ($3::boolean AND scope = 'GLOBAL'))"
        " AND ($4::text IS NULL OR scope = $4)"
        " AND ($5::text IS NULL OR strpos(lower(content), lower($5::text COLLATE \"C\")) > 0)"
        " AND ($6::text IS NULL OR namespace = $6) ORDER BY created_at DESC, id LIMIT $7",
        nlohmann::json(f.local_of).dump(), nlohmann::json(f.team_of).dump(), f.global, f.scope, f.query,
        f.memory_namespace, f.limit);
    return collect(r, [](const pqxx::row& row) {
      return MemoryRecord{pg::text(row[0]), pg::text(row[1]), pg::text(row[2]),
                          pg::text(row[3]), pg::text(row[4]), pg::text(row[5])};
    });
  });
}

Result<bool> PostgresStore::deleteMemory(const std::string& workspace_id, const std::string& id) {
  return single([&](pg::Session& s) {
    return s.exec("DELETE FROM agent_memories WHERE workspace_id = $1 AND id = $2", workspace_id, id).affected_rows() > 0;
  });
}

Result<std::optional<std::string>> PostgresStore::workspaceConfig(const std::string& workspace_id) {
  return single([&](pg::Session& s) -> std::optional<std::string> {
    auto r = s.exec("SELECT data FROM workspace_config WHERE workspace_id = $1", workspace_id);
    if (r.empty()) return std::nullopt;
    return pg::text(r[0][0]);
  });
}

// Read, merge and write in one transaction that holds the workspace's config lock, so
// concurrent patches of different keys, from any server, both land (the reference's `||`).
Result<> PostgresStore::mergeWorkspaceConfig(const std::string& workspace_id, const std::string& patch,
                                             std::size_t max_bytes) {
  auto changes = parseJson(patch);
  if (!changes) return changes.error();
  if (!changes->is_object()) return makeError(Errc::invalid_argument, "config must be a JSON object");
  enum class Outcome { merged, no_workspace, too_large };
  auto outcome = guarded([&](pg::Session& s) {
    s.lock("config", workspace_id);
    if (s.exec("SELECT 1 FROM workspaces WHERE id = $1", workspace_id).empty()) return Outcome::no_workspace;
    auto current = s.exec("SELECT data FROM workspace_config WHERE workspace_id = $1", workspace_id);
    auto doc = current.empty() ? nlohmann::json::object() : parseJsonOr(pg::text(current[0][0]), nlohmann::json::object());
    if (!doc.is_object()) doc = nlohmann::json::object();
    for (const auto& [key, value] : changes->items()) doc[key] = value;
    const std::string merged = doc.dump();
    if (merged.size() > max_bytes) return Outcome::too_large;
    s.exec("INSERT INTO workspace_config (workspace_id, data, updated_at) VALUES ($1, $2, $3) "
           "ON CONFLICT (workspace_id) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at",
           workspace_id, merged, nowTime());
    return Outcome::merged;
  });
  if (!outcome) return outcome.error();
  if (*outcome == Outcome::no_workspace) return makeError(Errc::not_found, "workspace not found");
  if (*outcome == Outcome::too_large)
    return makeError(Errc::too_large, "config would exceed " + std::to_string(max_bytes >> 10) + " KiB");
  return {};
}

Result<> PostgresStore::putWorkspaceFiles(const std::string& workspace_id,
                                          const std::map<std::string, std::string>& files) {
  return guarded([&](pg::Session& s) {
    s.exec("DELETE FROM workspace_files WHERE workspace_id = $1", workspace_id);
    for (const auto& [path, content] : files)
      s.exec("INSERT INTO workspace_files (workspace_id, path, content) VALUES ($1, $2, $3)", workspace_id, path, content);
  });
}

Result<std::map<std::string, std::string>> PostgresStore::workspaceFiles(const std::string& workspace_id) {
  return single([&](pg::Session& s) {
    std::map<std::string, std::string> out;
    for (const auto& row : s.exec("SELECT path, content FROM workspace_files WHERE workspace_id = $1", workspace_id))
      out.emplace(pg::text(row[0]), pg::text(row[1]));
    return out;
  });
}

Result<> PostgresStore::addTokenUsage(const std::string& workspace_id, const std::string& period_start,
                                      const TokenUsage& delta) {
  return single([&](pg::Session& s) {
    s.exec("INSERT INTO workspace_token_usage AS u (workspace_id, period_start, input_tokens, output_tokens, call_count, "
           "estimated_cost_micros, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7) "
           "ON CONFLICT (workspace_id, period_start) DO UPDATE SET "
           "input_tokens = u.input_tokens + excluded.input_tokens, output_tokens = u.output_tokens + excluded.output_tokens, "
           "call_count = u.call_count + excluded.call_count, "
           "estimated_cost_micros = u.estimated_cost_micros + excluded.estimated_cost_micros, updated_at = excluded.updated_at",
           workspace_id, period_start, delta.input_tokens, delta.output_tokens, delta.call_count,
           delta.estimated_cost_micros, nowTime());
  });
}

Result<TokenUsage> PostgresStore::tokenUsage(const std::string& workspace_id, const std::string& period_start) {
  return single([&](pg::Session& s) {
    auto r = s.exec("SELECT input_tokens, output_tokens, call_count, estimated_cost_micros FROM workspace_token_usage "
                    "WHERE workspace_id = $1 AND period_start = $2",
                    workspace_id, period_start);
    if (r.empty()) return TokenUsage{};
    return TokenUsage{pg::integer(r[0][0]), pg::integer(r[0][1]), pg::integer(r[0][2]), pg::integer(r[0][3])};
  });
}

const char* const kPgActivityColumns =
    "id, workspace_id, activity_type, source_id, target_id, method, summary, request_body, response_body, "
    "tool_trace, duration_ms, status, error_detail, created_at, idempotency_key ";

ActivityRecord readPgActivity(const pqxx::row& r) {
  return ActivityRecord{pg::integer(r[0]),     pg::text(r[1]),     pg::text(r[2]),     pg::optText(r[3]),
                        pg::optText(r[4]),     pg::text(r[5]),     pg::text(r[6]),     pg::optText(r[7]),
                        pg::optText(r[8]),     pg::optText(r[9]),  pg::optInteger(r[10]), pg::text(r[11]),
                        pg::text(r[12]),       pg::text(r[13]),    pg::optText(r[14])};
}

std::int64_t PostgresStore::insertActivityRow(pg::Session& s, const ActivityRecord& a) {
  return pg::integer(
      s.execParams("INSERT INTO activity_logs (workspace_id, activity_type, source_id, target_id, method, "
                   "summary, request_body, response_body, tool_trace, duration_ms, status, error_detail, "
                   "created_at, idempotency_key) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14) RETURNING id",
                   {pg::param(a.workspace_id), pg::param(a.activity_type), pg::param(a.source_id),
                    pg::param(a.target_id), pg::param(a.method), pg::param(a.summary), pg::param(a.request_body),
                    pg::param(a.response_body), pg::param(a.tool_trace), pg::param(a.duration_ms),
                    pg::param(a.status), pg::param(a.error_detail), pg::param(a.created_at),
                    pg::param(a.idempotency_key)})[0][0]);
}

// The batch in one transaction; when a row fails (its workspace was purged meanwhile), the
// batch again one row at a time, so only that row is lost.
void PostgresStore::writeQueuedActivity(std::size_t most) {
  std::lock_guard lock(activity_mutex_);
  auto rows = activity_behind_.take(most);
  if (rows.empty()) return;
  try {
    pool_.transact([&](pg::Session& s) {
      for (const auto& a : rows) insertActivityRow(s, a);
    });
    return;
  } catch (const pqxx::sql_error&) {
  }
  for (const auto& a : rows) {
    try {
      pool_.autocommit([&](pg::Session& s) { insertActivityRow(s, a); });
    } catch (const pqxx::sql_error& e) {
      spdlog::warn("storage: activity row of {} dropped: {}", a.workspace_id, e.what());
    }
  }
}

Result<std::int64_t> PostgresStore::insertActivity(const ActivityRecord& a) {
  return withActivity([&](pg::Session& s) { return insertActivityRow(s, a); });
}

Result<std::vector<ActivityRecord>> PostgresStore::listActivity(const ActivityFilter& f) {
  return withActivity([&](pg::Session& s) {
    auto r = s.exec(std::string("SELECT ") + kPgActivityColumns +
                        "FROM activity_logs WHERE workspace_id = $1 "
                        "AND ($2::text IS NULL OR activity_type = $2) "
                        "AND ($3::boolean IS NULL OR ($3 AND source_id IS NOT NULL) OR (NOT $3 AND source_id IS NULL)) "
                        "AND ($4::text IS NULL OR source_id = $4 OR target_id = $4) "
                        "AND ($5::text IS NULL OR created_at < $5) "
                        "AND ($7::jsonb = '[]'::jsonb OR method IN (SELECT jsonb_array_elements_text($7::jsonb))) "
                        "AND ($8::bigint IS NULL OR id > $8) " +
                        (f.oldest_first ? "ORDER BY id LIMIT $6" : "ORDER BY created_at DESC, id DESC LIMIT $6"),
                    f.workspace_id, f.type, f.from_agent, f.peer_id, f.before_ts, f.limit,
                    nlohmann::json(f.methods).dump(), f.after_id);
    return collect(r, readPgActivity);
  });
}

Result<std::vector<ActivityRecord>> PostgresStore::listConversation(const ConversationFilter& f) {
  return withActivity([&](pg::Session& s) {
    auto r = s.exec(std::string("SELECT ") + kPgActivityColumns +
                        "FROM activity_logs WHERE activity_type IN ('a2a_send', 'a2a_receive') "
                        "AND ((source_id = $1 AND target_id = $2) OR (source_id = $2 AND target_id = $1)) "
                        "AND workspace_id IN ($1, $2) AND ($3::text IS NULL OR created_at < $3) "
                        "ORDER BY created_at DESC, id DESC LIMIT $4",
                    f.self, f.peer, f.before_ts, f.limit);
    return collect(r, readPgActivity);
  });
}

Result<std::int64_t> PostgresStore::purgeActivityBefore(const std::string& older_than) {
  return withActivity([&](pg::Session& s) {
    return static_cast<std::int64_t>(s.exec("DELETE FROM activity_logs WHERE created_at < $1", older_than).affected_rows());
  });
}

}  // namespace ws
