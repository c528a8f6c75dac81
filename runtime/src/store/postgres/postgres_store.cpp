// PostgresStore: the pool, the schema migrations and the helpers every area shares.

#include "store/postgres/postgres_store.h"

#include <spdlog/spdlog.h>

#include "core/util.h"
#include "store/migrations/migrations.h"

namespace ws {
namespace {

// Connections per server: calls run concurrently up to this many, then wait for one.
constexpr std::size_t kPoolSize = 16;
// Any fixed number: every server that starts at once waits here while one migrates.
constexpr std::int64_t kMigrationLock = 0x77732d6d6967;  // "ws-mig"

}  // namespace

PostgresStore::PostgresStore(const std::string& url) : pool_(url, kPoolSize) { migrate(); }

void PostgresStore::migrate() {
  pool_.transact([](pg::Session& s) {
    s.exec("SELECT pg_advisory_xact_lock($1)", kMigrationLock);
    s.execRaw(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
        "applied_at TEXT NOT NULL)");
    for (const auto& m : migrations::postgres()) {
      if (!s.exec("SELECT 1 FROM schema_migrations WHERE version = $1", m.version).empty()) continue;
      s.execRaw(std::string(m.sql));
      s.exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)", m.version,
             std::string(m.name), nowTime());
      spdlog::info("storage: applied migration {:03d} ({})", m.version, m.name);
    }
  });
}

std::int64_t PostgresStore::insertEvent(pg::Session& s, const Event& e) {
  return pg::integer(s.exec("INSERT INTO structure_events (event_type, workspace_id, payload, created_at) "
                            "VALUES ($1, $2, $3, $4) RETURNING id",
                            e.event_type, e.workspace_id, e.payload, e.created_at.empty() ? nowTime() : e.created_at)[0][0]);
}

void PostgresStore::revokeAll(pg::Session& s, const std::string& workspace_id, const std::string& now) {
  s.exec("UPDATE workspace_auth_tokens SET revoked_at = $1 WHERE workspace_id = $2 AND revoked_at IS NULL", now,
         workspace_id);
}

Result<StorePtr> openPostgresStore(const std::string& url) {
  try {
    return StorePtr(std::make_unique<PostgresStore>(url));
  } catch (const std::exception& e) {
    return makeError(Errc::storage_error, e.what());
  }
}

}  // namespace ws
