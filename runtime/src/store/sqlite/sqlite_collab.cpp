// SqliteStore: what agents working together leave behind: delegations (activity rows of type
// `delegation`), the session search over activity and memories, and the memory backup.

#include <cctype>
#include <string>
#include <vector>

#include "store/sqlite/sqlite_store.h"

namespace ws {

using sqlite::collect;
using sqlite::Statement;

namespace {

// A delegate row names its delegation in the request body; a body that is not JSON names none
// (json_extract would fail the whole query on it).
constexpr const char* kDelegationIdOf =
    "CASE WHEN json_valid(request_body) THEN json_extract(request_body, '$.delegation_id') END";

}  // namespace

Result<KeyedInsert> SqliteStore::insertKeyedActivity(const ActivityRecord& a) {
  return withActivity([&] {
    sqlite::Transaction tx(db_);
    auto& held = db_.prepare(std::string("SELECT ") + kActivityColumns +
                             "FROM activity_logs WHERE workspace_id = ? AND idempotency_key = ?");
    held.bind(1, a.workspace_id).bind(2, a.idempotency_key);
    std::optional<ActivityRecord> existing;
    if (held.step()) existing = readActivity(held);
    held.reset();
    KeyedInsert out;
    if (existing && existing->status != "failed") {
      out.existing = std::move(existing);
      return out;
    }
    if (existing)
      db_.prepare("UPDATE activity_logs SET idempotency_key = NULL WHERE id = ?").bind(1, existing->id).run();
    out.id = insertActivityRow(a);
    tx.commit();
    return out;
  });
}

Result<std::optional<ActivityRecord>> SqliteStore::findDelegation(const std::string& workspace_id,
                                                                  const std::string& delegation_id) {
  return withActivity([&] {
    auto& q = db_.prepare(std::string("SELECT ") + kActivityColumns +
                          "FROM activity_logs WHERE workspace_id = ? AND method = 'delegate' AND " + kDelegationIdOf +
                          " = ? ORDER BY id DESC LIMIT 1");
    q.bind(1, workspace_id).bind(2, delegation_id);
    std::optional<ActivityRecord> out;
    if (q.step()) out = readActivity(q);
    q.reset();
    return out;
  });
}

Result<bool> SqliteStore::setDelegationStatus(const std::string& workspace_id, const std::string& delegation_id,
                                              const std::string& status, const std::string& error_detail) {
  return withActivity([&] {
    db_.prepare(std::string("UPDATE activity_logs SET status = ?1, "
                            "error_detail = CASE WHEN ?2 = '' THEN error_detail ELSE ?2 END "
                            "WHERE workspace_id = ?3 AND method = 'delegate' AND ") +
                kDelegationIdOf + " = ?4")
        .bind(1, status).bind(2, error_detail).bind(3, workspace_id).bind(4, delegation_id)
        .run();
    return db_.changes() > 0;
  });
}

Result<bool> SqliteStore::dispatchDelegation(const std::string& workspace_id, const std::string& delegation_id) {
  return withActivity([&] {
    db_.prepare(std::string("UPDATE activity_logs SET status = 'dispatched', platform_dispatched = 1 "
                            "WHERE workspace_id = ?1 AND method = 'delegate' AND status = 'pending' AND ") +
                kDelegationIdOf + " = ?2")
        .bind(1, workspace_id).bind(2, delegation_id)
        .run();
    return db_.changes() > 0;
  });
}

Result<std::vector<ActivityRecord>> SqliteStore::failInterruptedDelegations(const std::string& error,
                                                                           const std::string& started_before) {
  return withActivity([&] {
    const std::string in_flight =
        " WHERE activity_type = 'delegation' AND method = 'delegate' AND "
        "(status = 'pending' OR (status = 'dispatched' AND platform_dispatched = 1)) AND created_at < ?1";
    sqlite::Transaction tx(db_);
    auto& q = db_.prepare(std::string("SELECT ") + kActivityColumns + "FROM activity_logs" + in_flight + " ORDER BY id");
    q.bind(1, started_before);
    auto rows = collect(q, readActivity);
    db_.prepare("UPDATE activity_logs SET status = 'failed', error_detail = ?2" + in_flight)
        .bind(1, started_before)
        .bind(2, error)
        .run();
    tx.commit();
    return rows;
  });
}

// A substring match on every text field, case-insensitive (ASCII, like LIKE): instr over
// lower() needs no escaping of the caller's % and _.
Result<std::vector<SessionItem>> SqliteStore::searchSession(const std::string& workspace_id, const std::string& query,
                                                            int limit) {
  return withActivity([&] {
    auto& q = db_.prepare(
        "WITH items AS ("
        " SELECT 'activity' AS kind, CAST(id AS TEXT) AS id, workspace_id, activity_type AS label, summary AS content,"
        "  method, status, request_body, response_body, created_at, id AS seq"
        " FROM activity_logs WHERE workspace_id = ?1"
        " UNION ALL"
        " SELECT 'memory', id, workspace_id, scope, content, '', '', NULL, NULL, created_at, 0"
        " FROM agent_memories WHERE workspace_id = ?1)"
        " SELECT kind, id, workspace_id, label, content, method, status, request_body, response_body, created_at"
        " FROM items WHERE ?2 = '' OR instr(lower(content), ?2) > 0 OR instr(lower(label), ?2) > 0"
        "  OR instr(lower(method), ?2) > 0 OR instr(lower(status), ?2) > 0"
        "  OR instr(lower(coalesce(request_body, '')), ?2) > 0 OR instr(lower(coalesce(response_body, '')), ?2) > 0"
        " ORDER BY created_at DESC, seq DESC LIMIT ?3");
    std::string needle = query;
    for (auto& c : needle) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    q.bind(1, workspace_id).bind(2, needle).bind(3, limit);
    return collect(q, [](const Statement& r) {
      return SessionItem{r.text(0), r.text(1), r.text(2), r.text(3), r.text(4), r.text(5),
                         r.text(6), r.optText(7), r.optText(8), r.text(9)};
    });
  });
}

Result<std::vector<NamedMemory>> SqliteStore::listAllMemories() {
  return guarded([&] {
    return collect(db_.prepare("SELECT m.id, m.workspace_id, m.content, m.scope, m.namespace, m.created_at, w.name "
                               "FROM agent_memories m JOIN workspaces w ON w.id = m.workspace_id "
                               "WHERE w.status <> 'removed' ORDER BY m.created_at, m.id"),
                   [](const Statement& r) {
                     return NamedMemory{MemoryRecord{r.text(0), r.text(1), r.text(2), r.text(3), r.text(4), r.text(5)},
                                        r.text(6)};
                   });
  });
}

Result<bool> SqliteStore::hasMemory(const std::string& workspace_id, const std::string& content, const std::string& scope) {
  return guarded([&] {
    auto& q = db_.prepare("SELECT 1 FROM agent_memories WHERE workspace_id = ? AND content = ? AND scope = ? LIMIT 1");
    q.bind(1, workspace_id).bind(2, content).bind(3, scope);
    const bool found = q.step();
    q.reset();
    return found;
  });
}

}  // namespace ws
