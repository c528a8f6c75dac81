#include "service/a2a_queue.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "core/json.h"
#include "core/util.h"

namespace ws {
namespace {

using nlohmann::json;

constexpr int kBusyRetryAfter = 30;
// Later than any stamp: "every row".
constexpr const char* kAnyTime = "9999-12-31T23:59:59.999Z";
// Past this, a TTL or a drop-stale age means "never": the cutoff stays a valid timestamp.
constexpr std::int64_t kLongestSeconds = std::int64_t(100) * 365 * 24 * 3600;

// Set while a NoQueueing lives on this thread.
thread_local bool t_no_queueing = false;

const json* member(const json& j, const char* key) {
  if (!j.is_object()) return nullptr;
  auto it = j.find(key);
  return it == j.end() ? nullptr : &*it;
}

std::optional<std::string> stringAt(const json& rpc, std::initializer_list<const char*> path) {
  const json* at = &rpc;
  for (const char* key : path)
    if (!(at = member(*at, key))) return std::nullopt;
  if (!at->is_string() || at->get_ref<const std::string&>().empty()) return std::nullopt;
  return at->get<std::string>();
}

// params.expires_in_seconds, when a positive number.
std::optional<std::int64_t> ttlSeconds(const json& rpc) {
  const json* params = member(rpc, "params");
  const json* ttl = params ? member(*params, "expires_in_seconds") : nullptr;
  if (!ttl || !ttl->is_number()) return std::nullopt;
  const double seconds = ttl->get<double>();
  if (!(seconds >= 1)) return std::nullopt;
  return static_cast<std::int64_t>(std::min<double>(seconds, double(kLongestSeconds)));
}

// Why a delivery did not succeed: the `error` of the answer, else its status.
std::string failureOf(const A2aReply& reply) {
  const json body = parseJsonOr(reply.body, json());
  if (const json* e = member(body, "error"); e && e->is_string() && !e->get_ref<const std::string&>().empty())
    return e->get<std::string>();
  return "agent answered " + std::to_string(reply.status);
}

}  // namespace

A2aQueue::NoQueueing::NoQueueing() : outer_(t_no_queueing) { t_no_queueing = true; }
A2aQueue::NoQueueing::~NoQueueing() { t_no_queueing = outer_; }

A2aQueue::A2aQueue(A2aQueueStore& store, WorkspaceService& workspaces, A2aDelivery& delivery, Metrics* metrics)
    : A2aQueue(store, workspaces, delivery, metrics, Options{}) {}

A2aQueue::A2aQueue(A2aQueueStore& store, WorkspaceService& workspaces, A2aDelivery& delivery, Metrics* metrics,
                   Options options)
    : store_(store), workspaces_(workspaces), delivery_(delivery), metrics_(metrics), options_(options) {
  // An item in flight when the server stopped may or may not have reached the agent: it goes
  // out again (at least once, never lost). Alone on the database, every dispatched item was
  // this server's previous run's.
  if (!options_.shared_database) {
    if (auto requeued = store_.requeueDispatchedA2a(kAnyTime); !requeued)
      spdlog::warn("a2a queue: cannot requeue interrupted deliveries: {}", requeued.error().message);
    else if (*requeued > 0)
      spdlog::info("a2a queue: {} interrupted deliveries queued again", *requeued);
  }
  learnQueued();
}

Result<int> A2aQueue::requeueStalled() {
  auto requeued = store_.requeueDispatchedA2a(formatTime(Clock::now() - 2 * options_.delivery_timeout));
  if (requeued && *requeued > 0) {
    spdlog::warn("a2a queue: {} deliveries stalled past twice their timeout (their server stopped): queued again",
                 *requeued);
    learnQueued();
  }
  return requeued;
}

void A2aQueue::learnQueued() {
  auto pending = store_.workspacesWithQueuedA2a();
  if (!pending) return spdlog::warn("a2a queue: cannot list queued work: {}", pending.error().message);
  std::lock_guard lock(mutex_);
  pending_.insert(pending->begin(), pending->end());
}

A2aQueue::~A2aQueue() {
  std::unique_lock lock(mutex_);
  drained_.wait(lock, [this] { return draining_.empty(); });
}

std::optional<A2aReply> A2aQueue::whenBusy(const std::string& target_id, const std::string& caller, const json& rpc) {
  if (t_no_queueing) return std::nullopt;
  bool native = false;
  {
    std::lock_guard lock(mutex_);
    native = native_session_.contains(target_id);
  }
  if (native)
    return A2aReply{503,
                    json{{"error", "workspace agent busy — adapter handles retry (native_session)"},
                         {"busy", true}, {"retry_after", kBusyRetryAfter}, {"native_session", true}}
                        .dump(),
                    kBusyRetryAfter};
  auto queued = enqueue(target_id, caller, rpc);
  if (!queued) {
    spdlog::warn("a2a queue: cannot queue a request for busy {}: {}", target_id, queued.error().message);
    return std::nullopt;
  }
  spdlog::info("a2a queue: {} busy, request queued as {} (depth {})", target_id, queued->id, queued->depth);
  return A2aReply{202,
                  json{{"queued", true}, {"queue_id", queued->id}, {"queue_depth", queued->depth},
                       {"message", "workspace agent busy — request queued, will dispatch when capacity available"}}
                      .dump(),
                  0};
}

Result<A2aQueue::Enqueued> A2aQueue::enqueue(const std::string& workspace_id, const std::string& caller, const json& rpc) {
  // A soft cap (concurrent enqueues may pass it by a few): a full queue answers 503 busy.
  auto depth = store_.queuedA2aCount(workspace_id);
  if (!depth) return depth.error();
  if (*depth >= kMaxDepth)
    return makeError(Errc::rate_limited, "the workspace's A2A queue is full (" + std::to_string(kMaxDepth) + " requests)");
  const auto now = Clock::now();
  A2aQueueItem item;
  item.id = newUuid();
  item.workspace_id = workspace_id;
  if (!caller.empty()) item.caller_id = caller;
  item.priority = kPriorityTask;
  item.body = rpc.dump();
  item.method = stringAt(rpc, {"method"});
  item.idempotency_key = stringAt(rpc, {"params", "message", "messageId"});
  item.enqueued_at = formatTime(now);
  if (auto ttl = ttlSeconds(rpc)) item.expires_at = formatTime(now + std::chrono::seconds(*ttl));
  auto stored = store_.enqueueA2a(item, item.enqueued_at);
  if (!stored) return stored.error();
  {
    std::lock_guard lock(mutex_);
    pending_.insert(workspace_id);
    ++enqueues_;
  }
  if (metrics_ && !stored->existing) metrics_->a2aQueued();
  return Enqueued{stored->id, stored->depth};
}

void A2aQueue::heartbeat(const std::string& workspace_id, int active_tasks, int max_concurrent_tasks,
                         std::optional<bool> native_session) {
  std::lock_guard lock(mutex_);
  if (native_session == true)
    native_session_.insert(workspace_id);
  else if (native_session == false)
    native_session_.erase(workspace_id);
  if (stopping_ || active_tasks >= max_concurrent_tasks || !pending_.contains(workspace_id)) return;
  const int capacity = std::max(1, max_concurrent_tasks - active_tasks);
  // Busy with other workspaces' drains: this one stays pending for its next heartbeat.
  if (!draining_.contains(workspace_id) && draining_.size() >= kMaxConcurrentDrains) return;
  if (!draining_.insert(workspace_id).second) {
    // One drain per workspace keeps the order; it goes round once more for this heartbeat.
    again_[workspace_id] = std::max(again_[workspace_id], capacity);
    return;
  }
  workspaces_.runInBackground([this, workspace_id, capacity] {
    for (int room = capacity;;) {
      drain(workspace_id, room);
      std::lock_guard done(mutex_);
      auto again = again_.find(workspace_id);
      if (again == again_.end() || stopping_) {
        again_.erase(workspace_id);
        draining_.erase(workspace_id);
        drained_.notify_all();
        return;
      }
      room = again->second;
      again_.erase(again);
    }
  });
}

int A2aQueue::drain(const std::string& workspace_id, int capacity) {
  int delivered = 0;
  for (int i = 0; i < capacity; ++i) {
    std::uint64_t seen = 0;
    {
      std::lock_guard lock(mutex_);
      if (stopping_) break;
      seen = enqueues_;
    }
    // Atomic in the store (one transaction; on a shared database a row lock): with replicas
    // draining the same workspace, each item is claimed by one of them.
    auto claimed = store_.claimNextA2a(workspace_id, nowTime());
    if (!claimed) {
      spdlog::warn("a2a queue: cannot claim work of {}: {}", workspace_id, claimed.error().message);
      break;
    }
    if (!*claimed) {
      // Nothing (left) to deliver, unless something was queued meanwhile.
      std::lock_guard lock(mutex_);
      if (enqueues_ == seen) pending_.erase(workspace_id);
      break;
    }
    if (!deliverItem(**claimed)) break;  // the agent is busy or failing: the next heartbeat retries
    ++delivered;
  }
  return delivered;
}

bool A2aQueue::deliverItem(const A2aQueueItem& item) {
  // `max_attempts` 0 fails the item at once: it can never be delivered.
  const auto fail = [&](const std::string& why, int max_attempts = kMaxAttempts) {
    const bool final = item.attempts >= max_attempts;
    if (auto r = store_.failA2a(item.id, why, max_attempts); !r)
      spdlog::warn("a2a queue: cannot record the failure of {}: {}", item.id, r.error().message);
    spdlog::info("a2a queue: {} for {} not delivered (attempt {}{}): {}", item.id, item.workspace_id, item.attempts,
                 final ? ", failed" : "", why);
    if (metrics_) metrics_->a2aQueueDrained(final ? "failed" : "retried");
    return false;
  };
  auto target = workspaces_.findLive(item.workspace_id);
  if (!target) return fail(target.error().message, target.error().code == Errc::not_found ? 0 : kMaxAttempts);
  if (target->url.empty()) return fail("workspace has no URL");
  if (target->budget_limit && target->monthly_spend >= *target->budget_limit)
    return fail("workspace budget limit exceeded");
  auto rpc = parseJson(item.body);
  if (!rpc) return fail("the queued request is not JSON", 0);

  A2aReply reply;
  {
    NoQueueing direct;  // still busy: the item stays in its place rather than being queued again
    reply = delivery_.deliver(*target, item.caller_id.value_or(""), *rpc, options_.delivery_timeout);
  }
  if (!reply.ok()) return fail(failureOf(reply));
  if (auto r = store_.completeA2a(item.id, nowTime()); !r)
    spdlog::warn("a2a queue: cannot record the delivery of {}: {}", item.id, r.error().message);
  spdlog::info("a2a queue: {} delivered to {} (attempt {})", item.id, item.workspace_id, item.attempts);
  if (metrics_) metrics_->a2aQueueDrained("completed");
  return true;
}

Result<int> A2aQueue::dropStale(const std::string& workspace_id, std::chrono::minutes max_age) {
  const auto age = std::clamp<std::int64_t>(max_age.count(), 1, kLongestSeconds / 60);
  const auto now = Clock::now();
  auto dropped = store_.dropStaleA2a(workspace_id, formatTime(now - std::chrono::minutes(age)), formatTime(now),
                                     "dropped by drop-stale: queued longer than " + std::to_string(age) + " minutes");
  if (!dropped) return dropped.error();
  spdlog::info("a2a queue: drop-stale dropped {} items (workspace {}, older than {} minutes)", *dropped,
               workspace_id.empty() ? "any" : workspace_id, age);
  if (metrics_ && *dropped > 0) metrics_->a2aQueueDropped(*dropped);
  return *dropped;
}

Result<int> A2aQueue::depth() { return store_.queuedA2aCount(""); }

void A2aQueue::stop() {
  std::lock_guard lock(mutex_);
  stopping_ = true;
}

}  // namespace ws
