// PostgresStore: the busy-agent A2A queue. Several servers may drain one workspace's queue at
// once: an item is claimed by one UPDATE whose row lock skips items another server is
// claiming, so no item is dispatched twice.

#include <string>
#include <vector>

#include "store/postgres/postgres_store.h"

namespace ws {

using pg::collect;

namespace {

constexpr const char* kItemColumns =
    "id, workspace_id, caller_id, priority, body, method, idempotency_key, enqueued_at, dispatched_at, completed_at, "
    "expires_at, attempts, status, last_error ";

A2aQueueItem readItem(const pqxx::row& r) {
  A2aQueueItem i;
  i.id = pg::text(r[0]);
  i.workspace_id = pg::text(r[1]);
  i.caller_id = pg::optText(r[2]);
  i.priority = static_cast<int>(pg::integer(r[3]));
  i.body = pg::text(r[4]);
  i.method = pg::optText(r[5]);
  i.idempotency_key = pg::optText(r[6]);
  i.enqueued_at = pg::text(r[7]);
  i.dispatched_at = pg::optText(r[8]);
  i.completed_at = pg::optText(r[9]);
  i.expires_at = pg::optText(r[10]);
  i.attempts = static_cast<int>(pg::integer(r[11]));
  i.status = pg::text(r[12]);
  i.last_error = pg::optText(r[13]);
  return i;
}

int countQueued(pg::Session& s, const std::string& workspace_id) {
  return static_cast<int>(pg::integer(
      s.exec("SELECT count(*) FROM a2a_queue WHERE status = 'queued' AND ($1 = '' OR workspace_id = $1)",
             workspace_id)[0][0]));
}

}  // namespace

// An idempotency key is locked for the transaction: two servers enqueueing it take turns.
Result<A2aEnqueued> PostgresStore::enqueueA2a(const A2aQueueItem& item, const std::string& now) {
  return guarded([&](pg::Session& s) {
    A2aEnqueued out{item.id, 0, false};
    if (item.idempotency_key) {
      s.lock("a2a-key", item.workspace_id + "\n" + *item.idempotency_key);
      s.exec("UPDATE a2a_queue SET status = 'dropped', "
             "last_error = 'superseded: expired before it was delivered; replaced by a new request' "
             "WHERE workspace_id = $1 AND idempotency_key = $2 AND status = 'queued' "
             "AND expires_at IS NOT NULL AND expires_at <= $3",
             item.workspace_id, *item.idempotency_key, now);
      auto held = s.exec("SELECT id FROM a2a_queue WHERE workspace_id = $1 AND idempotency_key = $2 "
                         "AND status IN ('queued','dispatched')",
                         item.workspace_id, *item.idempotency_key);
      if (!held.empty()) {
        out.id = pg::text(held[0][0]);
        out.existing = true;
      }
    }
    if (!out.existing)
      s.exec("INSERT INTO a2a_queue (id, workspace_id, caller_id, priority, body, method, idempotency_key, "
             "enqueued_at, expires_at, status) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'queued')",
             item.id, item.workspace_id, item.caller_id, item.priority, item.body, item.method, item.idempotency_key,
             item.enqueued_at, item.expires_at);
    out.depth = countQueued(s, item.workspace_id);
    return out;
  });
}

Result<std::optional<A2aQueueItem>> PostgresStore::claimNextA2a(const std::string& workspace_id,
                                                                const std::string& now) {
  return single([&](pg::Session& s) -> std::optional<A2aQueueItem> {
    auto r = s.exec(std::string("UPDATE a2a_queue SET status = 'dispatched', dispatched_at = $2, "
                                "attempts = attempts + 1 WHERE status = 'queued' AND id = ("
                                " SELECT id FROM a2a_queue WHERE workspace_id = $1 AND status = 'queued'"
                                " AND (expires_at IS NULL OR expires_at > $2)"
                                " ORDER BY priority DESC, enqueued_at ASC, seq ASC LIMIT 1 FOR UPDATE SKIP LOCKED) "
                                "RETURNING ") +
                        kItemColumns,
                    workspace_id, now);
    if (r.empty()) return std::nullopt;
    return readItem(r[0]);
  });
}

Result<> PostgresStore::completeA2a(const std::string& id, const std::string& now) {
  return single([&](pg::Session& s) {
    s.exec("UPDATE a2a_queue SET status = 'completed', completed_at = $1 WHERE id = $2 AND status = 'dispatched'", now,
           id);
  });
}

Result<> PostgresStore::failA2a(const std::string& id, const std::string& error, int max_attempts) {
  return single([&](pg::Session& s) {
    s.exec("UPDATE a2a_queue SET status = CASE WHEN attempts >= $1 THEN 'failed' ELSE 'queued' END, "
           "last_error = $2, dispatched_at = NULL WHERE id = $3 AND status = 'dispatched'",
           max_attempts, error, id);
  });
}

Result<int> PostgresStore::dropStaleA2a(const std::string& workspace_id, const std::string& enqueued_before,
                                        const std::string& now, const std::string& reason) {
  return single([&](pg::Session& s) {
    return static_cast<int>(
        s.exec("UPDATE a2a_queue SET status = 'dropped', last_error = COALESCE(last_error || chr(10), '') || "
               "CASE WHEN expires_at IS NOT NULL AND expires_at <= $3 THEN 'dropped: expired before it was delivered' "
               "ELSE $4::text END "
               "WHERE status = 'queued' AND ($1 = '' OR workspace_id = $1) "
               "AND (enqueued_at < $2 OR (expires_at IS NOT NULL AND expires_at <= $3))",
               workspace_id, enqueued_before, now, reason)
            .affected_rows());
  });
}

Result<int> PostgresStore::queuedA2aCount(const std::string& workspace_id) {
  return single([&](pg::Session& s) { return countQueued(s, workspace_id); });
}

Result<std::vector<std::string>> PostgresStore::workspacesWithQueuedA2a() {
  return single([&](pg::Session& s) {
    return collect(s.exec("SELECT DISTINCT workspace_id FROM a2a_queue WHERE status = 'queued'"),
                   [](const pqxx::row& r) { return pg::text(r[0]); });
  });
}

Result<int> PostgresStore::requeueDispatchedA2a(const std::string& dispatched_before) {
  return single([&](pg::Session& s) {
    return static_cast<int>(s.exec("UPDATE a2a_queue SET status = 'queued', dispatched_at = NULL "
                                   "WHERE status = 'dispatched' AND dispatched_at < $1",
                                   dispatched_before)
                                .affected_rows());
  });
}

Result<std::optional<A2aQueueItem>> PostgresStore::findA2aQueueItem(const std::string& id) {
  return single([&](pg::Session& s) -> std::optional<A2aQueueItem> {
    auto r = s.exec(std::string("SELECT ") + kItemColumns + "FROM a2a_queue WHERE id = $1", id);
    if (r.empty()) return std::nullopt;
    return readItem(r[0]);
  });
}

}  // namespace ws
