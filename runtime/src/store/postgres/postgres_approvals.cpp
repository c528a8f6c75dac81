// PostgresStore: approval requests.

#include <string>
#include <vector>

#include "store/postgres/postgres_store.h"

namespace ws {

using pg::collect;

namespace {

constexpr const char* kApprovalColumns =
    "a.id, a.workspace_id, a.task_id, a.action, a.reason, a.context, a.status, a.decided_by, a.decided_at, "
    "a.created_at ";

ApprovalRecord readApproval(const pqxx::row& r) {
  ApprovalRecord a;
  a.id = pg::text(r[0]);
  a.workspace_id = pg::text(r[1]);
  a.task_id = pg::text(r[2]);
  a.action = pg::text(r[3]);
  a.reason = pg::text(r[4]);
  a.context = pg::text(r[5]);
  a.status = pg::text(r[6]);
  a.decided_by = pg::optText(r[7]);
  a.decided_at = pg::optText(r[8]);
  a.created_at = pg::text(r[9]);
  return a;
}

}  // namespace

Result<> PostgresStore::insertApproval(const ApprovalRecord& a) {
  return single([&](pg::Session& s) {
    s.exec("INSERT INTO approval_requests (id, workspace_id, task_id, action, reason, context, status, created_at) "
           "VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
           a.id, a.workspace_id, a.task_id, a.action, a.reason, a.context, a.status, a.created_at);
  });
}

Result<std::vector<ApprovalRecord>> PostgresStore::listApprovals(const std::string& workspace_id, int limit) {
  return single([&](pg::Session& s) {
    return collect(s.exec(std::string("SELECT ") + kApprovalColumns +
                              "FROM approval_requests a WHERE a.workspace_id = $1 "
                              "ORDER BY a.created_at DESC, a.seq DESC LIMIT $2",
                          workspace_id, limit),
                   readApproval);
  });
}

Result<std::vector<ApprovalRecord>> PostgresStore::listPendingApprovals(int limit) {
  return single([&](pg::Session& s) {
    return collect(s.exec(std::string("SELECT ") + kApprovalColumns +
                              ", w.name FROM approval_requests a JOIN workspaces w ON w.id = a.workspace_id "
                              "WHERE a.status = 'pending' AND w.status <> 'removed' "
                              "ORDER BY a.created_at DESC, a.seq DESC LIMIT $1",
                          limit),
                   [](const pqxx::row& r) {
                     ApprovalRecord a = readApproval(r);
                     a.workspace_name = pg::text(r[10]);
                     return a;
                   });
  });
}

Result<bool> PostgresStore::decideApproval(const std::string& workspace_id, const std::string& id,
                                           const std::string& decision, const std::string& decided_by,
                                           const std::string& decided_at) {
  return single([&](pg::Session& s) {
    return s.exec("UPDATE approval_requests SET status = $1, decided_by = $2, decided_at = $3 "
                  "WHERE id = $4 AND workspace_id = $5 AND status = 'pending'",
                  decision, decided_by, decided_at, id, workspace_id)
               .affected_rows() > 0;
  });
}

Result<int> PostgresStore::expireApprovals(const std::string& created_before, const std::string& decided_by,
                                           const std::string& decided_at) {
  return single([&](pg::Session& s) {
    return static_cast<int>(s.exec("UPDATE approval_requests SET status = 'denied', decided_by = $1, decided_at = $2 "
                                   "WHERE status = 'pending' AND created_at < $3",
                                   decided_by, decided_at, created_before)
                                .affected_rows());
  });
}

}  // namespace ws
