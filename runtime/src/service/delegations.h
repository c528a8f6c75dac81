#pragma once
// Delegation (the reference's DelegationHandler): a workspace hands a task to a peer. The
// platform records it as activity of type `delegation` (method `delegate`, its status walking
// pending -> dispatched -> completed | failed) and sends the task as an A2A message in the
// background; the answer (or the failure) adds a `delegate_result` row. An agent that sent the
// A2A itself records the delegation and reports its outcome instead (record, update).

#include <boost/asio/thread_pool.hpp>

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "service/a2a.h"
#include "service/events.h"
#include "service/workspace_service.h"
#include "ws/store.h"

namespace ws {

class Delegations {
 public:
  static constexpr std::size_t kMaxTaskBytes = 256 * 1024;
  static constexpr std::size_t kMaxIdBytes = 256;  ///< Delegation ids and idempotency keys.
  static constexpr int kListLimit = 50;

  struct Options {
    std::chrono::seconds timeout{1800};               ///< Of each A2A attempt.
    std::chrono::milliseconds retry_delay{8000};      ///< Before the one retry of a transient failure.
    std::size_t threads = 8;                          ///< Delegations in flight at once.
  };

  Delegations(Store& store, EventBus& events, WorkspaceService& workspaces, A2aDelivery& a2a, Options options);
  Delegations(Store& store, EventBus& events, WorkspaceService& workspaces, A2aDelivery& a2a)
      : Delegations(store, events, workspaces, a2a, Options{}) {}
  /// Waits for the delegations in flight; those not sent yet fail at once, and none waits for
  /// its retry (an A2A call under way still runs to its end or its timeout).
  ~Delegations();
  Delegations(const Delegations&) = delete;
  Delegations& operator=(const Delegations&) = delete;

  struct Accepted {
    std::string delegation_id;
    std::string status;  ///< "delegated", or the status of the delegation an idempotency key found.
    std::string target_id;
    bool idempotent_hit = false;
  };
  /// Records the delegation and sends `task` to `target_id` in the background. invalid_argument
  /// for a malformed target or self-delegation, not_found for an unknown target, forbidden when
  /// the two may not communicate. A live delegation under the same idempotency key is
  /// returned instead (a failed one is retried).
  Result<Accepted> delegate(const Workspace& source, const std::string& target_id, const std::string& task,
                            const std::string& idempotency_key);
  /// Records a delegation the agent sent itself (status dispatched); conflict when its id is
  /// already recorded.
  Result<> record(const Workspace& source, const std::string& target_id, const std::string& task,
                  const std::string& delegation_id);
  /// The agent's report on a recorded delegation: `completed` (with a preview of the answer) or
  /// `failed` (with the error); not_found for an unknown delegation.
  Result<> update(const Workspace& source, const std::string& delegation_id, const std::string& status,
                  const std::string& error, const std::string& response_preview);
  /// The workspace's delegation rows (delegate and delegate_result), newest first.
  Result<std::vector<ActivityRecord>> list(const std::string& workspace_id);

  /// The error of a delegation the server was sending when it stopped or crashed.
  static constexpr const char* kInterrupted = "platform restarted while delegation was in flight";
  /// At start-up, before the server takes requests, alone on its database: fails every
  /// delegation a previous run left in flight, as a failed send does (a delegate_result row and
  /// DELEGATION_FAILED for the delegating workspace). Returns how many.
  Result<std::size_t> failInterrupted();
  /// The same for delegations older than any send takes (two attempts and the retry delay,
  /// twice over): whoever sent them stopped (a crashed replica). From a sweep, on any store.
  Result<std::size_t> failStalled();

  /// Waits until every delegation in flight has finished (tests).
  void drain();

  /// The text of an agent's A2A answer: its first text part (or its artifacts'), else the body.
  static std::string answerText(const std::string& body);

 private:
  Result<std::size_t> failInFlightBefore(const std::string& started_before);
  void execute(const Workspace& source, const std::string& target_id, const std::string& delegation_id,
               const nlohmann::json& rpc);
  A2aReply attempt(const Workspace& source, const std::string& target_id, const nlohmann::json& rpc);
  void finish(const Workspace& source, const std::string& target_id, const std::string& delegation_id,
              const A2aReply& reply);
  /// Tells the delegating workspace that a delegation failed: its result row and the event.
  void announceFailure(const std::string& source, const std::optional<std::string>& target,
                       const std::string& delegation_id, const std::string& error);
  void logResult(const std::string& source, const std::optional<std::string>& target, const std::string& delegation_id,
                 const std::string& status, const std::string& text, const std::string& error);

  Store& store_;
  EventBus& events_;
  WorkspaceService& workspaces_;
  A2aDelivery& a2a_;
  Options options_;
  std::mutex mutex_;
  std::condition_variable idle_;
  std::condition_variable stop_;
  int in_flight_ = 0;
  bool stopping_ = false;
  boost::asio::thread_pool pool_;  ///< Last: joined first, while everything it uses is alive.
};

}  // namespace ws
