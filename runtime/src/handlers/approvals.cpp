// Approvals (the reference's approval routes): an agent asks for a human decision, lists its
// requests, and a decision is recorded; the operators see every pending request.

#include "core/json_input.h"
#include "core/util.h"
#include "handlers/routes.h"

namespace ws {
namespace {

using nlohmann::json;

json approvalJson(const ApprovalRecord& a) {
  const auto opt = [](const std::optional<std::string>& v) { return v ? json(*v) : json(nullptr); };
  return {{"id", a.id},           {"task_id", a.task_id},        {"action", a.action},
          {"reason", a.reason},   {"status", a.status},          {"decided_by", opt(a.decided_by)},
          {"decided_at", opt(a.decided_at)}, {"created_at", a.created_at}, {"context", parseStoredJson(a.context)}};
}

Response create(Services& svc, const Request& req) {
  auto w = svc.workspaces.findLive(req.param("id"));
  if (!w) return Response::fromError(w.error());
  JsonInput in(req.body);
  Approvals::Ask ask;
  ask.task_id = in.string("task_id").value_or("");
  ask.action = in.string("action").value_or("");
  ask.reason = in.string("reason").value_or("");
  if (auto context = in.object("context")) ask.context = context->dump();
  if (in.error()) return Response::error(Errc::invalid_argument, *in.error());
  auto made = svc.approvals.request(*w, ask);
  if (!made) return Response::fromError(made.error());
  return Response::json(201, {{"approval_id", made->id}, {"status", "pending"}});
}

Response list(Services& svc, const Request& req) {
  auto w = svc.workspaces.findLive(req.param("id"));
  if (!w) return Response::fromError(w.error());
  auto rows = svc.approvals.list(w->id);
  if (!rows) return Response::fromError(rows.error());
  json out = json::array();
  for (const auto& a : *rows) out.push_back(approvalJson(a));
  return Response::json(200, out);
}

Response decide(Services& svc, const Request& req) {
  auto w = svc.workspaces.findLive(req.param("id"));
  if (!w) return Response::fromError(w.error());
  JsonInput in(req.body);
  const auto decision = in.string("decision");
  const auto decided_by = in.string("decided_by");
  if (in.error()) return Response::error(Errc::invalid_argument, *in.error());
  const std::string& id = req.param("approvalId");
  if (!isUuid(id)) return Response::error(Errc::invalid_argument, "invalid approval id");
  if (auto decided = svc.approvals.decide(w->id, id, decision.value_or(""), decided_by.value_or("")); !decided)
    return Response::fromError(decided.error());
  return Response::json(200, {{"status", *decision}, {"approval_id", id}});
}

Response pending(Services& svc) {
  auto rows = svc.approvals.pending();
  if (!rows) return Response::fromError(rows.error());
  json out = json::array();
  for (const auto& a : *rows)
    out.push_back({{"id", a.id}, {"workspace_id", a.workspace_id}, {"workspace_name", a.workspace_name},
                   {"action", a.action}, {"reason", a.reason}, {"status", a.status}, {"created_at", a.created_at}});
  return Response::json(200, out);
}

}  // namespace

void registerApprovalRoutes(Router& router, Services& svc) {
  router.add("POST", "/workspaces/:id/approvals", AuthPolicy::workspace, [&svc](const Request& r) { return create(svc, r); });
  router.add("GET", "/workspaces/:id/approvals", AuthPolicy::workspace, [&svc](const Request& r) { return list(svc, r); });
  router.add("POST", "/workspaces/:id/approvals/:approvalId/decide", AuthPolicy::workspace,
             [&svc](const Request& r) { return decide(svc, r); });
  router.add("GET", "/approvals/pending", AuthPolicy::admin, [&svc](const Request&) { return pending(svc); });
}

}  // namespace ws
