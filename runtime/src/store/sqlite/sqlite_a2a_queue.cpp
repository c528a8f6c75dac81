// SqliteStore: the busy-agent A2A queue. Items are claimed in one transaction (the store's
// connection is serialised, so two drains never claim the same item).

#include <string>
#include <vector>

#include "store/sqlite/sqlite_store.h"

namespace ws {

using sqlite::collect;
using sqlite::Statement;

namespace {

constexpr const char* kItemColumns =
    "id, workspace_id, caller_id, priority, body, method, idempotency_key, enqueued_at, dispatched_at, completed_at, "
    "expires_at, attempts, status, last_error ";

A2aQueueItem readItem(const Statement& r) {
  A2aQueueItem i;
  i.id = r.text(0);
  i.workspace_id = r.text(1);
  i.caller_id = r.optText(2);
  i.priority = static_cast<int>(r.integer(3));
  i.body = r.text(4);
  i.method = r.optText(5);
  i.idempotency_key = r.optText(6);
  i.enqueued_at = r.text(7);
  i.dispatched_at = r.optText(8);
  i.completed_at = r.optText(9);
  i.expires_at = r.optText(10);
  i.attempts = static_cast<int>(r.integer(11));
  i.status = r.text(12);
  i.last_error = r.optText(13);
  return i;
}

int countQueued(sqlite::Database& db, const std::string& workspace_id) {
  auto& q = db.prepare("SELECT count(*) FROM a2a_queue WHERE status = 'queued' AND (?1 = '' OR workspace_id = ?1)");
  q.bind(1, workspace_id);
  q.step();
  const auto n = static_cast<int>(q.integer(0));
  q.reset();
  return n;
}

}  // namespace

Result<A2aEnqueued> SqliteStore::enqueueA2a(const A2aQueueItem& item, const std::string& now) {
  return guarded([&] {
    sqlite::Transaction tx(db_);
    A2aEnqueued out{item.id, 0, false};
    if (item.idempotency_key) {
      db_.prepare("UPDATE a2a_queue SET status = 'dropped', "
                  "last_error = 'superseded: expired before it was delivered; replaced by a new request' "
                  "WHERE workspace_id = ? AND idempotency_key = ? AND status = 'queued' "
                  "AND expires_at IS NOT NULL AND expires_at <= ?")
          .bind(1, item.workspace_id).bind(2, *item.idempotency_key).bind(3, now)
          .run();
      auto& held = db_.prepare("SELECT id FROM a2a_queue WHERE workspace_id = ? AND idempotency_key = ? "
                               "AND status IN ('queued','dispatched')");
      held.bind(1, item.workspace_id).bind(2, *item.idempotency_key);
      if (held.step()) {
        out.id = held.text(0);
        out.existing = true;
      }
      held.reset();
    }
    if (!out.existing)
      db_.prepare("INSERT INTO a2a_queue (id, workspace_id, caller_id, priority, body, method, idempotency_key, "
                  "enqueued_at, expires_at, status) VALUES (?,?,?,?,?,?,?,?,?,'queued')")
          .bind(1, item.id).bind(2, item.workspace_id).bind(3, item.caller_id).bind(4, item.priority)
          .bind(5, item.body).bind(6, item.method).bind(7, item.idempotency_key).bind(8, item.enqueued_at)
          .bind(9, item.expires_at)
          .run();
    out.depth = countQueued(db_, item.workspace_id);
    tx.commit();
    return out;
  });
}

Result<std::optional<A2aQueueItem>> SqliteStore::claimNextA2a(const std::string& workspace_id, const std::string& now) {
  return guarded([&] {
    sqlite::Transaction tx(db_);
    auto& next = db_.prepare(std::string("SELECT ") + kItemColumns +
                             "FROM a2a_queue WHERE workspace_id = ? AND status = 'queued' "
                             "AND (expires_at IS NULL OR expires_at > ?) "
                             "ORDER BY priority DESC, enqueued_at ASC, rowid ASC LIMIT 1");
    next.bind(1, workspace_id).bind(2, now);
    std::optional<A2aQueueItem> item;
    if (next.step()) item = readItem(next);
    next.reset();
    if (!item) return item;
    db_.prepare("UPDATE a2a_queue SET status = 'dispatched', dispatched_at = ?, attempts = attempts + 1 WHERE id = ?")
        .bind(1, now).bind(2, item->id)
        .run();
    tx.commit();
    item->status = "dispatched";
    item->dispatched_at = now;
    ++item->attempts;
    return item;
  });
}

Result<> SqliteStore::completeA2a(const std::string& id, const std::string& now) {
  return guarded([&] {
    db_.prepare("UPDATE a2a_queue SET status = 'completed', completed_at = ? WHERE id = ? AND status = 'dispatched'")
        .bind(1, now).bind(2, id)
        .run();
  });
}

Result<> SqliteStore::failA2a(const std::string& id, const std::string& error, int max_attempts) {
  return guarded([&] {
    db_.prepare("UPDATE a2a_queue SET status = CASE WHEN attempts >= ? THEN 'failed' ELSE 'queued' END, "
                "last_error = ?, dispatched_at = NULL WHERE id = ? AND status = 'dispatched'")
        .bind(1, max_attempts).bind(2, error).bind(3, id)
        .run();
  });
}

Result<int> SqliteStore::dropStaleA2a(const std::string& workspace_id, const std::string& enqueued_before,
                                      const std::string& now, const std::string& reason) {
  return guarded([&] {
    db_.prepare("UPDATE a2a_queue SET status = 'dropped', last_error = COALESCE(last_error || char(10), '') || "
                "CASE WHEN expires_at IS NOT NULL AND expires_at <= ?3 THEN 'dropped: expired before it was delivered' "
                "ELSE ?4 END "
                "WHERE status = 'queued' AND (?1 = '' OR workspace_id = ?1) "
                "AND (enqueued_at < ?2 OR (expires_at IS NOT NULL AND expires_at <= ?3))")
        .bind(1, workspace_id).bind(2, enqueued_before).bind(3, now).bind(4, reason)
        .run();
    return db_.changes();
  });
}

Result<int> SqliteStore::queuedA2aCount(const std::string& workspace_id) {
  return guarded([&] { return countQueued(db_, workspace_id); });
}

Result<std::vector<std::string>> SqliteStore::workspacesWithQueuedA2a() {
  return guarded([&] {
    auto& q = db_.prepare("SELECT DISTINCT workspace_id FROM a2a_queue WHERE status = 'queued'");
    return collect(q, [](const Statement& r) { return r.text(0); });
  });
}

Result<int> SqliteStore::requeueDispatchedA2a(const std::string& dispatched_before) {
  return guarded([&] {
    db_.prepare("UPDATE a2a_queue SET status = 'queued', dispatched_at = NULL WHERE status = 'dispatched' AND dispatched_at < ?")
        .bind(1, dispatched_before)
        .run();
    return db_.changes();
  });
}

Result<std::optional<A2aQueueItem>> SqliteStore::findA2aQueueItem(const std::string& id) {
  return guarded([&] {
    auto& q = db_.prepare(std::string("SELECT ") + kItemColumns + "FROM a2a_queue WHERE id = ?");
    q.bind(1, id);
    std::optional<A2aQueueItem> out;
    if (q.step()) out = readItem(q);
    q.reset();
    return out;
  });
}

}  // namespace ws
