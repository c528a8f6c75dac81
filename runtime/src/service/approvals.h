#pragma once
// Approvals (the reference's ApprovalsHandler): an agent asks for a human decision before an
// action; the request is escalated to its parent's watchers, shown to the operators among the
// pending ones, and decided once (approved or denied). Requests left pending for ten minutes
// are denied as `auto-expired`.

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

#include "service/events.h"
#include "ws/record_store.h"
#include "ws/workspace.h"

namespace ws {

class Approvals {
 public:
  static constexpr std::chrono::minutes kExpiry{10};
  static constexpr int kListLimit = 50;
  static constexpr std::size_t kMaxFieldBytes = 4096;     ///< action, task_id, reason, decided_by.
  static constexpr std::size_t kMaxContextBytes = 64 * 1024;

  Approvals(RecordStore& store, EventBus& events) : store_(store), events_(events) {}

  struct Ask {
    std::string task_id;
    std::string action;
    std::string reason;
    std::string context = "{}";  ///< A JSON object, as text.
  };
  /// Records a pending request of `w` and publishes APPROVAL_REQUESTED (and APPROVAL_ESCALATED
  /// to its parent). invalid_argument without an action, too_large past the limits.
  Result<ApprovalRecord> request(const Workspace& w, const Ask& ask);
  /// The workspace's requests, newest first (at most kListLimit).
  Result<std::vector<ApprovalRecord>> list(const std::string& workspace_id);
  /// Every pending request, newest first (at most kListLimit), with its workspace's name.
  Result<std::vector<ApprovalRecord>> pending();
  /// Decides a pending request of the workspace (`approved` or `denied`; `decided_by` defaults to
  /// "human") and publishes APPROVAL_APPROVED or APPROVAL_DENIED. not_found when there is no
  /// such pending request.
  Result<> decide(const std::string& workspace_id, const std::string& approval_id, const std::string& decision,
                  std::string decided_by);

 private:
  /// Denies the requests pending for longer than kExpiry (before any read or decision).
  Result<> expireStale();

  RecordStore& store_;
  EventBus& events_;
};

}  // namespace ws
