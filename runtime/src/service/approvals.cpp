#include "service/approvals.h"

#include "core/util.h"

namespace ws {

Result<> Approvals::expireStale() {
  const auto now = Clock::now();
  auto expired = store_.expireApprovals(formatTime(now - kExpiry), "auto-expired", formatTime(now));
  if (!expired) return expired.error();
  return {};
}

Result<ApprovalRecord> Approvals::request(const Workspace& w, const Ask& ask) {
  if (ask.action.empty()) return makeError(Errc::invalid_argument, "action is required");
  if (ask.action.size() > kMaxFieldBytes || ask.task_id.size() > kMaxFieldBytes || ask.reason.size() > kMaxFieldBytes)
    return makeError(Errc::too_large, "action, task_id and reason are at most 4096 bytes each");
  if (ask.context.size() > kMaxContextBytes) return makeError(Errc::too_large, "context is at most 64 KiB");
  ApprovalRecord a;
  a.id = newUuid();
  a.workspace_id = w.id;
  a.task_id = ask.task_id;
  a.action = ask.action;
  a.reason = ask.reason;
  a.context = ask.context;
  a.created_at = nowTime();
  if (auto inserted = store_.insertApproval(a); !inserted) return inserted.error();
  events_.record("APPROVAL_REQUESTED", w.id,
                 {{"approval_id", a.id}, {"action", a.action}, {"reason", a.reason}, {"task_id", a.task_id}});
  // Whoever watches the parent learns of it too: a lead agent may decide for its team.
  if (w.parent_id)
    events_.record("APPROVAL_ESCALATED", *w.parent_id,
                   {{"approval_id", a.id}, {"from_workspace_id", w.id}, {"action", a.action}, {"reason", a.reason}});
  return a;
}

Result<std::vector<ApprovalRecord>> Approvals::list(const std::string& workspace_id) {
  if (auto expired = expireStale(); !expired) return expired.error();
  return store_.listApprovals(workspace_id, kListLimit);
}

Result<std::vector<ApprovalRecord>> Approvals::pending() {
  if (auto expired = expireStale(); !expired) return expired.error();
  return store_.listPendingApprovals(kListLimit);
}

Result<> Approvals::decide(const std::string& workspace_id, const std::string& approval_id, const std::string& decision,
                           std::string decided_by) {
  if (decision != "approved" && decision != "denied")
    return makeError(Errc::invalid_argument, "decision must be 'approved' or 'denied'");
  if (decided_by.size() > kMaxFieldBytes) return makeError(Errc::too_large, "decided_by is at most 4096 bytes");
  if (decided_by.empty()) decided_by = "human";
  if (auto expired = expireStale(); !expired) return expired.error();
  auto decided = store_.decideApproval(workspace_id, approval_id, decision, decided_by, nowTime());
  if (!decided) return decided.error();
  if (!*decided) return makeError(Errc::not_found, "approval not found or already decided");
  events_.record(decision == "approved" ? "APPROVAL_APPROVED" : "APPROVAL_DENIED", workspace_id,
                 {{"approval_id", approval_id}, {"decision", decision}, {"decided_by", decided_by}});
  return {};
}

}  // namespace ws
