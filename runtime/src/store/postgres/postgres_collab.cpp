// PostgresStore: what agents working together leave behind: delegations (activity rows of type
// `delegation`), the session search over activity and memories, and the memory backup.

#include <algorithm>
#include <cctype>
#include <string>
#include <vector>

#include "store/postgres/postgres_store.h"

namespace ws {

using pg::collect;

namespace {

// A delegate row names its delegation in the request body; a body that is not JSON names none
// (ws_json_field, migration 1, reads it so).
constexpr const char* kDelegationIdOf = "ws_json_field(request_body, 'delegation_id')";

}  // namespace

// The key is locked for the transaction, so two servers inserting it at once take turns.
Result<KeyedInsert> PostgresStore::insertKeyedActivity(const ActivityRecord& a) {
  return withActivity([&](pg::Session& s) {
    s.lock("activity-key", a.workspace_id + "\n" + a.idempotency_key.value_or(""));
    auto held = s.exec(std::string("SELECT ") + kPgActivityColumns +
                           "FROM activity_logs WHERE workspace_id = $1 AND idempotency_key = $2",
                       a.workspace_id, a.idempotency_key);
    KeyedInsert out;
    if (!held.empty()) {
      auto existing = readPgActivity(held[0]);
      if (existing.status != "failed") {
        out.existing = std::move(existing);
        return out;
      }
      s.exec("UPDATE activity_logs SET idempotency_key = NULL WHERE id = $1", existing.id);
    }
    out.id = insertActivityRow(s, a);
    return out;
  });
}

Result<std::optional<ActivityRecord>> PostgresStore::findDelegation(const std::string& workspace_id,
                                                                    const std::string& delegation_id) {
  return withActivity([&](pg::Session& s) -> std::optional<ActivityRecord> {
    auto r = s.exec(std::string("SELECT ") + kPgActivityColumns +
                        "FROM activity_logs WHERE workspace_id = $1 AND method = 'delegate' AND " + kDelegationIdOf +
                        " = $2 ORDER BY id DESC LIMIT 1",
                    workspace_id, delegation_id);
    if (r.empty()) return std::nullopt;
    return readPgActivity(r[0]);
  });
}

Result<bool> PostgresStore::setDelegationStatus(const std::string& workspace_id, const std::string& delegation_id,
                                                const std::string& status, const std::string& error_detail) {
  return withActivity([&](pg::Session& s) {
    return s.exec(std::string("UPDATE activity_logs SET status = $1, "
                              "error_detail = CASE WHEN $2::text = '' THEN error_detail ELSE $2 END "
                              "WHERE workspace_id = $3 AND method = 'delegate' AND ") +
                      kDelegationIdOf + " = $4",
                  status, error_detail, workspace_id, delegation_id)
               .affected_rows() > 0;
  });
}

Result<bool> PostgresStore::dispatchDelegation(const std::string& workspace_id, const std::string& delegation_id) {
  return withActivity([&](pg::Session& s) {
    return s.exec(std::string("UPDATE activity_logs SET status = 'dispatched', platform_dispatched = true "
                              "WHERE workspace_id = $1 AND method = 'delegate' AND status = 'pending' AND ") +
                      kDelegationIdOf + " = $2",
                  workspace_id, delegation_id)
               .affected_rows() > 0;
  });
}

// The rows are locked as they are read, and only those are failed: they come back as they were.
Result<std::vector<ActivityRecord>> PostgresStore::failInterruptedDelegations(const std::string& error,
                                                                             const std::string& started_before) {
  return withActivity([&](pg::Session& s) {
    auto rows = collect(s.exec(std::string("SELECT ") + kPgActivityColumns +
                                   "FROM activity_logs WHERE activity_type = 'delegation' AND method = 'delegate' AND "
                                   "(status = 'pending' OR (status = 'dispatched' AND platform_dispatched)) "
                                   "AND created_at < $1 ORDER BY id FOR UPDATE",
                               started_before),
                        readPgActivity);
    for (const auto& row : rows)
      s.exec("UPDATE activity_logs SET status = 'failed', error_detail = $1 WHERE id = $2", error, row.id);
    return rows;
  });
}

// A substring match on every text field, case-insensitive (ASCII, like SQLite's lower()):
// strpos needs no escaping of the caller's % and _.
Result<std::vector<SessionItem>> PostgresStore::searchSession(const std::string& workspace_id, const std::string& query,
                                                              int limit) {
  return withActivity([&](pg::Session& s) {
    std::string needle = query;
    for (auto& c : needle) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    auto r = s.exec(
        "WITH items AS ("
        " SELECT 'activity'::text AS kind, id::text AS id, workspace_id, activity_type AS label, summary AS content,"
        "  method, status, request_body, response_body, created_at, id AS seq"
        " FROM activity_logs WHERE workspace_id = $1"
        " UNION ALL"
        " SELECT 'memory', id, workspace_id, scope, content, '', '', NULL, NULL, created_at, 0"
        " FROM agent_memories WHERE workspace_id = $1)"
        " SELECT kind, id, workspace_id, label, content, method, status, request_body, response_body, created_at"
        " FROM items WHERE $2::text = '' OR strpos(lower(content), $2) > 0 OR strpos(lower(label), $2) > 0"
        "  OR strpos(lower(method), $2) > 0 OR strpos(lower(status), $2) > 0"
        "  OR strpos(lower(coalesce(request_body, '')), $2) > 0 OR strpos(lower(coalesce(response_body, '')), $2) > 0"
        " ORDER BY created_at DESC, seq DESC LIMIT $3",
        workspace_id, needle, limit);
    return collect(r, [](const pqxx::row& row) {
      return SessionItem{pg::text(row[0]), pg::text(row[1]), pg::text(row[2]), pg::text(row[3]), pg::text(row[4]),
                         pg::text(row[5]), pg::text(row[6]), pg::optText(row[7]), pg::optText(row[8]), pg::text(row[9])};
    });
  });
}

Result<std::vector<NamedMemory>> PostgresStore::listAllMemories() {
  return single([&](pg::Session& s) {
    return collect(s.exec("SELECT m.id, m.workspace_id, m.content, m.scope, m.namespace, m.created_at, w.name "
                          "FROM agent_memories m JOIN workspaces w ON w.id = m.workspace_id "
                          "WHERE w.status <> 'removed' ORDER BY m.created_at, m.id"),
                   [](const pqxx::row& r) {
                     return NamedMemory{MemoryRecord{pg::text(r[0]), pg::text(r[1]), pg::text(r[2]), pg::text(r[3]),
                                                     pg::text(r[4]), pg::text(r[5])},
                                        pg::text(r[6])};
                   });
  });
}

Result<bool> PostgresStore::hasMemory(const std::string& workspace_id, const std::string& content,
                                      const std::string& scope) {
  return single([&](pg::Session& s) {
    return !s.exec("SELECT 1 FROM agent_memories WHERE workspace_id = $1 AND content = $2 AND scope = $3 LIMIT 1",
                   workspace_id, content, scope)
                .empty();
  });
}

}  // namespace ws
