#pragma once
// The busy-agent A2A queue (runtime-spec 6.3 "A2A proxy" step 10, and the heartbeat): a delivery
// whose agent did not answer in time is kept in the a2a_queue table and answered 202
// {queued, queue_id, queue_depth, message}; when the agent's heartbeat reports room
// (active_tasks < max_concurrent_tasks) the workspace's queued requests go out again through
// A2aDelivery, one at a time, highest priority then oldest first, on the worker pool. An agent
// that keeps its own session (capability `session`) is answered 503 instead: it retries itself.

#include <nlohmann/json.hpp>

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>

#include "service/a2a.h"
#include "service/metrics.h"
#include "service/workspace_service.h"
#include "ws/a2a_queue_store.h"

namespace ws {

class A2aQueue {
 public:
  static constexpr int kPriorityCritical = 100;
  static constexpr int kPriorityTask = 50;  ///< Every busy delivery, as the reference queues them.
  static constexpr int kPriorityInfo = 10;
  static constexpr int kMaxAttempts = 5;    ///< Deliveries of an item before it is failed.
  static constexpr int kMaxDepth = 1000;    ///< Queued items per workspace; past it a busy agent is 503.
  /// Drains running at once: they block on agents, and must never take the whole worker pool.
  static constexpr std::size_t kMaxConcurrentDrains = 2;
  static constexpr std::chrono::minutes kDefaultStaleAge{60};

  struct Options {
    std::chrono::seconds delivery_timeout{300};  ///< For a queued item's delivery (the proxy's default).
    /// Replicas on one database: what is dispatched at start may be another replica's delivery
    /// in flight, so none is queued again then; requeueStalled() recovers it once stale.
    bool shared_database = false;
  };

  /// Queues again what a stopped run left in flight (unless the database is shared), and
  /// learns which workspaces have work.
  A2aQueue(A2aQueueStore& store, WorkspaceService& workspaces, A2aDelivery& delivery, Metrics* metrics = nullptr);
  A2aQueue(A2aQueueStore& store, WorkspaceService& workspaces, A2aDelivery& delivery, Metrics* metrics, Options options);
  /// Waits for the drains in progress (stop() first makes that quick).
  ~A2aQueue();
  A2aQueue(const A2aQueue&) = delete;
  A2aQueue& operator=(const A2aQueue&) = delete;

  /// While one lives, deliveries made on this thread are not queued when the agent is busy
  /// (they answer 503 busy): a queued item being delivered, or a caller with its own retries.
  class NoQueueing {
   public:
    NoQueueing();
    ~NoQueueing();
    NoQueueing(const NoQueueing&) = delete;
    NoQueueing& operator=(const NoQueueing&) = delete;

   private:
    bool outer_;
  };

  /// The answer to a delivery of `rpc` from `caller` ("" for the canvas) that timed out: 202
  /// with the queued item, or 503 for an agent with a native session; nothing when it is not
  /// queued (see NoQueueing) or cannot be, and the caller answers 503 busy.
  std::optional<A2aReply> whenBusy(const std::string& target_id, const std::string& caller, const nlohmann::json& rpc);

  struct Enqueued {
    std::string id;
    int depth = 0;  ///< The workspace's queued items, this one included.
  };
  /// Queues `rpc` for `workspace_id`. Its params.message.messageId is the idempotency key (a
  /// request already queued comes back as it is); params.expires_in_seconds, when positive,
  /// bounds how long it waits.
  Result<Enqueued> enqueue(const std::string& workspace_id, const std::string& caller, const nlohmann::json& rpc);

  /// What a heartbeat says: its load, and whether the agent keeps its own session (nothing: as
  /// before). With room and queued work, a drain starts on the worker pool (unless one runs).
  void heartbeat(const std::string& workspace_id, int active_tasks, int max_concurrent_tasks,
                 std::optional<bool> native_session);
  /// Delivers up to `capacity` queued items of the workspace, one after the other (blocking);
  /// stops at the first that is not delivered. Returns how many were delivered.
  int drain(const std::string& workspace_id, int capacity);

  /// Drops queued items older than `max_age` or expired (of one workspace, or all when
  /// `workspace_id` is empty); how many.
  Result<int> dropStale(const std::string& workspace_id, std::chrono::minutes max_age);
  /// Queued items of every workspace.
  Result<int> depth();
  /// Queues again the items dispatched longer ago than any delivery takes (twice its timeout):
  /// whoever sent them stopped mid-delivery (a crashed replica). How many.
  Result<int> requeueStalled();
  /// Learns from the store which workspaces have queued work. Replicas share the table but not
  /// this process's memory of it: the sweeper calls this on every replica, so that an item
  /// another replica queued goes out when its agent's heartbeat lands here.
  void learnQueued();
  /// Drains in progress stop after their current delivery; none start.
  void stop();

 private:
  /// Delivers one claimed item; true when the agent answered 2xx.
  bool deliverItem(const A2aQueueItem& item);

  A2aQueueStore& store_;
  WorkspaceService& workspaces_;
  A2aDelivery& delivery_;
  Metrics* metrics_;
  Options options_;

  std::mutex mutex_;
  std::condition_variable drained_;       ///< A drain ended.
  std::set<std::string> pending_;         ///< Workspaces that may have queued items.
  std::set<std::string> draining_;        ///< Workspaces with a drain running.
  std::map<std::string, int> again_;      ///< Room reported during a drain: it goes round again.
  std::set<std::string> native_session_;  ///< Agents that declared the `session` capability.
  std::uint64_t enqueues_ = 0;            ///< Counts enqueues, so a drain that found nothing can tell.
  bool stopping_ = false;
};

}  // namespace ws
