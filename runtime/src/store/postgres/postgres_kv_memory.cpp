// PostgresStore: the key-value memory of workspaces. Expired entries read as absent and are
// dropped by the next write to the workspace.

#include <string>
#include <vector>

#include "store/postgres/postgres_store.h"

namespace ws {

using pg::collect;

namespace {

KvEntry readEntry(const pqxx::row& r) {
  return KvEntry{pg::text(r[0]), pg::text(r[1]), pg::integer(r[2]), pg::optText(r[3]), pg::text(r[4])};
}

}  // namespace

Result<std::vector<KvEntry>> PostgresStore::listKv(const std::string& workspace_id, const std::string& now) {
  return single([&](pg::Session& s) {
    return collect(s.exec("SELECT key, value, version, expires_at, updated_at FROM workspace_memory "
                          "WHERE workspace_id = $1 AND (expires_at IS NULL OR expires_at > $2) ORDER BY key",
                          workspace_id, now),
                   readEntry);
  });
}

Result<std::optional<KvEntry>> PostgresStore::getKv(const std::string& workspace_id, const std::string& key,
                                                    const std::string& now) {
  return single([&](pg::Session& s) -> std::optional<KvEntry> {
    auto r = s.exec("SELECT key, value, version, expires_at, updated_at FROM workspace_memory "
                    "WHERE workspace_id = $1 AND key = $2 AND (expires_at IS NULL OR expires_at > $3)",
                    workspace_id, key, now);
    if (r.empty()) return std::nullopt;
    return readEntry(r[0]);
  });
}

// One transaction holding the workspace's key-value lock (the key count spans the workspace):
// drop its expired entries, read the live version, then write or refuse. An expired entry is
// gone, so its next write starts again at version 1.
Result<KvOutcome> PostgresStore::putKv(const KvWrite& w) {
  return guarded([&](pg::Session& s) {
    s.lock("kv", w.workspace_id);
    s.exec("DELETE FROM workspace_memory WHERE workspace_id = $1 AND expires_at IS NOT NULL AND expires_at <= $2",
           w.workspace_id, w.now);
    auto current = s.exec("SELECT version FROM workspace_memory WHERE workspace_id = $1 AND key = $2", w.workspace_id,
                          w.key);
    std::optional<std::int64_t> live;
    if (!current.empty()) live = pg::integer(current[0][0]);

    KvOutcome out;
    if (w.if_match_version && (live ? *live != *w.if_match_version : *w.if_match_version != 0)) {
      out.kind = KvOutcome::version_mismatch;
      out.current_version = live;
      return out;
    }
    if (!live && w.max_keys > 0) {
      const auto keys = pg::integer(s.exec("SELECT count(*) FROM workspace_memory WHERE workspace_id = $1",
                                           w.workspace_id)[0][0]);
      if (static_cast<std::size_t>(keys) >= w.max_keys) {
        out.kind = KvOutcome::too_many_keys;
        return out;
      }
    }
    out.version = live ? *live + 1 : 1;
    s.exec("INSERT INTO workspace_memory (workspace_id, key, value, version, expires_at, updated_at) "
           "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (workspace_id, key) DO UPDATE SET "
           "value = excluded.value, version = excluded.version, expires_at = excluded.expires_at, "
           "updated_at = excluded.updated_at",
           w.workspace_id, w.key, w.value, out.version, w.expires_at, w.now);
    return out;
  });
}

Result<bool> PostgresStore::deleteKv(const std::string& workspace_id, const std::string& key) {
  return single([&](pg::Session& s) {
    return s.exec("DELETE FROM workspace_memory WHERE workspace_id = $1 AND key = $2", workspace_id, key)
               .affected_rows() > 0;
  });
}

}  // namespace ws
