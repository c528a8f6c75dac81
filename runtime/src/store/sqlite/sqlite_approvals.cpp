// SqliteStore: approval requests.

#include <string>
#include <vector>

#include "store/sqlite/sqlite_store.h"

namespace ws {

using sqlite::collect;
using sqlite::Statement;

namespace {

constexpr const char* kApprovalColumns =
    "a.id, a.workspace_id, a.task_id, a.action, a.reason, a.context, a.status, a.decided_by, a.decided_at, "
    "a.created_at ";

ApprovalRecord readApproval(const Statement& r) {
  ApprovalRecord a;
  a.id = r.text(0);
  a.workspace_id = r.text(1);
  a.task_id = r.text(2);
  a.action = r.text(3);
  a.reason = r.text(4);
  a.context = r.text(5);
  a.status = r.text(6);
  a.decided_by = r.optText(7);
  a.decided_at = r.optText(8);
  a.created_at = r.text(9);
  return a;
}

}  // namespace

Result<> SqliteStore::insertApproval(const ApprovalRecord& a) {
  return guarded([&] {
    db_.prepare("INSERT INTO approval_requests (id, workspace_id, task_id, action, reason, context, status, created_at) "
                "VALUES (?,?,?,?,?,?,?,?)")
        .bind(1, a.id).bind(2, a.workspace_id).bind(3, a.task_id).bind(4, a.action).bind(5, a.reason)
        .bind(6, a.context).bind(7, a.status).bind(8, a.created_at)
        .run();
  });
}

Result<std::vector<ApprovalRecord>> SqliteStore::listApprovals(const std::string& workspace_id, int limit) {
  return guarded([&] {
    auto& q = db_.prepare(std::string("SELECT ") + kApprovalColumns +
                          "FROM approval_requests a WHERE a.workspace_id = ? ORDER BY a.created_at DESC, a.rowid DESC LIMIT ?");
    q.bind(1, workspace_id).bind(2, limit);
    return collect(q, readApproval);
  });
}

Result<std::vector<ApprovalRecord>> SqliteStore::listPendingApprovals(int limit) {
  return guarded([&] {
    auto& q = db_.prepare(std::string("SELECT ") + kApprovalColumns +
                          ", w.name FROM approval_requests a JOIN workspaces w ON w.id = a.workspace_id "
                          "WHERE a.status = 'pending' AND w.status <> 'removed' "
                          "ORDER BY a.created_at DESC, a.rowid DESC LIMIT ?");
    q.bind(1, limit);
    return collect(q, [](const Statement& r) {
      ApprovalRecord a = readApproval(r);
      a.workspace_name = r.text(10);
      return a;
    });
  });
}

Result<bool> SqliteStore::decideApproval(const std::string& workspace_id, const std::string& id, const std::string& decision,
                                         const std::string& decided_by, const std::string& decided_at) {
  return guarded([&] {
    db_.prepare("UPDATE approval_requests SET status = ?, decided_by = ?, decided_at = ? "
                "WHERE id = ? AND workspace_id = ? AND status = 'pending'")
        .bind(1, decision).bind(2, decided_by).bind(3, decided_at).bind(4, id).bind(5, workspace_id)
        .run();
    return db_.changes() > 0;
  });
}

Result<int> SqliteStore::expireApprovals(const std::string& created_before, const std::string& decided_by,
                                         const std::string& decided_at) {
  return guarded([&] {
    db_.prepare("UPDATE approval_requests SET status = 'denied', decided_by = ?, decided_at = ? "
                "WHERE status = 'pending' AND created_at < ?")
        .bind(1, decided_by).bind(2, decided_at).bind(3, created_before)
        .run();
    return db_.changes();
  });
}

}  // namespace ws
