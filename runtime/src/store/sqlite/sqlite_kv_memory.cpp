// SqliteStore: the key-value memory of workspaces. Expired entries read as absent and are
// dropped by the next write to the workspace.

#include <string>
#include <vector>

#include "store/sqlite/sqlite_store.h"

namespace ws {

using sqlite::collect;
using sqlite::Statement;

namespace {

KvEntry readEntry(const Statement& r) { return KvEntry{r.text(0), r.text(1), r.integer(2), r.optText(3), r.text(4)}; }

}  // namespace

Result<std::vector<KvEntry>> SqliteStore::listKv(const std::string& workspace_id, const std::string& now) {
  return guarded([&] {
    auto& q = db_.prepare("SELECT key, value, version, expires_at, updated_at FROM workspace_memory "
                          "WHERE workspace_id = ? AND (expires_at IS NULL OR expires_at > ?) ORDER BY key");
    q.bind(1, workspace_id).bind(2, now);
    return collect(q, readEntry);
  });
}

Result<std::optional<KvEntry>> SqliteStore::getKv(const std::string& workspace_id, const std::string& key,
                                                  const std::string& now) {
  return guarded([&] {
    auto& q = db_.prepare("SELECT key, value, version, expires_at, updated_at FROM workspace_memory "
                          "WHERE workspace_id = ? AND key = ? AND (expires_at IS NULL OR expires_at > ?)");
    q.bind(1, workspace_id).bind(2, key).bind(3, now);
    std::optional<KvEntry> out;
    if (q.step()) out = readEntry(q);
    q.reset();
    return out;
  });
}

// One transaction: drop the workspace's expired entries, read the live version, then write or
// refuse. An expired entry is gone, so its next write starts again at version 1.
Result<KvOutcome> SqliteStore::putKv(const KvWrite& w) {
  return guarded([&] {
    sqlite::Transaction tx(db_);
    db_.prepare("DELETE FROM workspace_memory WHERE workspace_id = ? AND expires_at IS NOT NULL AND expires_at <= ?")
        .bind(1, w.workspace_id).bind(2, w.now)
        .run();
    auto& current = db_.prepare("SELECT version FROM workspace_memory WHERE workspace_id = ? AND key = ?");
    current.bind(1, w.workspace_id).bind(2, w.key);
    std::optional<std::int64_t> live;
    if (current.step()) live = current.integer(0);
    current.reset();

    KvOutcome out;
    if (w.if_match_version && (live ? *live != *w.if_match_version : *w.if_match_version != 0)) {
      out.kind = KvOutcome::version_mismatch;
      out.current_version = live;
      return out;
    }
    if (!live && w.max_keys > 0) {
      auto& count = db_.prepare("SELECT count(*) FROM workspace_memory WHERE workspace_id = ?");
      count.bind(1, w.workspace_id);
      count.step();
      const auto keys = count.integer(0);
      count.reset();
      if (static_cast<std::size_t>(keys) >= w.max_keys) {
        out.kind = KvOutcome::too_many_keys;
        return out;
      }
    }
    out.version = live ? *live + 1 : 1;
    db_.prepare("INSERT INTO workspace_memory (workspace_id, key, value, version, expires_at, updated_at) "
                "VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (workspace_id, key) DO UPDATE SET "
                "value = excluded.value, version = excluded.version, expires_at = excluded.expires_at, "
                "updated_at = excluded.updated_at")
        .bind(1, w.workspace_id).bind(2, w.key).bind(3, w.value).bind(4, out.version).bind(5, w.expires_at)
        .bind(6, w.now)
        .run();
    tx.commit();
    return out;
  });
}

Result<bool> SqliteStore::deleteKv(const std::string& workspace_id, const std::string& key) {
  return guarded([&] {
    db_.prepare("DELETE FROM workspace_memory WHERE workspace_id = ? AND key = ?").bind(1, workspace_id).bind(2, key).run();
    return db_.changes() > 0;
  });
}

}  // namespace ws
