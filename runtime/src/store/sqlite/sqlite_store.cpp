// SqliteStore: the connection, the schema migrations and the helpers every area shares.

#include <spdlog/spdlog.h>

#include <cstring>

#include "core/util.h"
#include "store/migrations/migrations.h"
#include "store/sqlite/sqlite_store.h"

namespace ws {

using sqlite::Transaction;

SqliteStore::SqliteStore(const std::string& path) : db_(path) {
  db_.exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;");
  migrate();
  sqlite3_update_hook(db_.handle(), &SqliteStore::onRowChange, this);
}

void SqliteStore::onRowChange(void* self, int, const char*, const char* table, sqlite3_int64) {
  for (const char* cached : {"workspaces", "canvas_layouts", "workspace_auth_tokens"})
    if (std::strcmp(table, cached) == 0) {
      static_cast<SqliteStore*>(self)->generation_.fetch_add(1, std::memory_order_release);
      return;
    }
}

void SqliteStore::migrate() {
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

std::int64_t SqliteStore::insertEvent(const Event& e) {
  db_.prepare(
         "INSERT INTO structure_events (event_type, workspace_id, payload, created_at) "
         "VALUES (?,?,?,?)")
      .bind(1, e.event_type).bind(2, e.workspace_id).bind(3, e.payload)
      .bind(4, e.created_at.empty() ? nowTime() : e.created_at)
      .run();
  return sqlite3_last_insert_rowid(db_.handle());
}

void SqliteStore::revokeAll(const std::string& workspace_id, const std::string& now) {
  db_.prepare(
         "UPDATE workspace_auth_tokens SET revoked_at = ? WHERE workspace_id = ? AND revoked_at IS NULL")
      .bind(1, now).bind(2, workspace_id)
      .run();
}

Result<StorePtr> openSqliteStore(const std::string& path) {
  try {
    return StorePtr(std::make_unique<SqliteStore>(path));
  } catch (const sqlite::SqliteError& e) {
    return makeError(Errc::storage_error, e.what());
  }
}

}  // namespace ws
