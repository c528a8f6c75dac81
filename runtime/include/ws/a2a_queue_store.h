#pragma once
// Storage of the busy-agent A2A queue (the reference's a2a_queue table): requests whose target's
// agent did not answer in time, kept until a heartbeat says the agent has room for them.

#include <optional>
#include <string>
#include <vector>

#include "ws/errors.h"

namespace ws {

/// One queued A2A request. Timestamps are formatTime stamps (they sort as text).
struct A2aQueueItem {
  std::string id;
  std::string workspace_id;            ///< The target.
  std::optional<std::string> caller_id;  ///< Nothing for the canvas or the platform.
  int priority = 50;                   ///< 100 critical, 50 task, 10 info.
  std::string body;                    ///< The JSON-RPC request as delivered, JSON text.
  std::optional<std::string> method;
  std::optional<std::string> idempotency_key;  ///< Unique per workspace among active items.
  std::string enqueued_at;
  std::optional<std::string> dispatched_at;
  std::optional<std::string> completed_at;
  std::optional<std::string> expires_at;  ///< Not delivered after this.
  int attempts = 0;
  std::string status = "queued";  ///< queued | dispatched | completed | dropped | failed
  std::optional<std::string> last_error;
};

/// What enqueueA2a did: the item holding the request, and the workspace's queued items now.
struct A2aEnqueued {
  std::string id;
  int depth = 0;
  bool existing = false;  ///< An active item already held the idempotency key.
};

class A2aQueueStore {
 public:
  virtual ~A2aQueueStore() = default;

  /// Inserts `item` (queued) unless an active (queued or dispatched) item of its workspace holds
  /// its idempotency key: then that item is the answer. A queued item with the key that expired
  /// by `now` is dropped first, so it cannot swallow the new request.
  virtual Result<A2aEnqueued> enqueueA2a(const A2aQueueItem& item, const std::string& now) = 0;
  /// Claims the workspace's next queued item not expired by `now` (highest priority, then
  /// oldest): it becomes dispatched and counts an attempt. Nothing when there is none.
  virtual Result<std::optional<A2aQueueItem>> claimNextA2a(const std::string& workspace_id, const std::string& now) = 0;
  /// A dispatched item was delivered.
  virtual Result<> completeA2a(const std::string& id, const std::string& now) = 0;
  /// A dispatched item was not delivered: queued again with `error`, or failed once it has had
  /// `max_attempts` attempts.
  virtual Result<> failA2a(const std::string& id, const std::string& error, int max_attempts) = 0;
  /// Drops the queued items of `workspace_id` (every workspace when empty) enqueued before
  /// `enqueued_before`, or expired by `now`, noting `reason` (or that they expired); how many.
  virtual Result<int> dropStaleA2a(const std::string& workspace_id, const std::string& enqueued_before,
                                   const std::string& now, const std::string& reason) = 0;
  /// Queued items of `workspace_id` (every workspace when empty).
  virtual Result<int> queuedA2aCount(const std::string& workspace_id) = 0;
  /// The workspaces that have queued items.
  virtual Result<std::vector<std::string>> workspacesWithQueuedA2a() = 0;
  /// Items left dispatched since before `dispatched_before` (the server that sent them stopped
  /// mid-delivery) are queued again; how many.
  virtual Result<int> requeueDispatchedA2a(const std::string& dispatched_before) = 0;
  virtual Result<std::optional<A2aQueueItem>> findA2aQueueItem(const std::string& id) = 0;
};

}  // namespace ws
