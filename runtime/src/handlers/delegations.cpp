// Delegation (the reference's delegation routes): a workspace hands a task to a peer, records a
// delegation it sent itself, reports its outcome, and lists its delegations.

#include "core/json_input.h"
#include "handlers/routes.h"
#include "service/agent_messages.h"

namespace ws {
namespace {

using nlohmann::json;

// A list entry: the row, plus the delegation it belongs to, its error and a preview of the
// answer when it has them.
json delegationJson(const ActivityRecord& a) {
  json j{{"id", a.id},
         {"type", a.activity_type},
         {"source_id", a.source_id.value_or("")},
         {"target_id", a.target_id.value_or("")},
         {"summary", a.summary},
         {"status", a.status},
         {"created_at", a.created_at}};
  const json request = parseStoredJson(a.request_body);
  const json response = parseStoredJson(a.response_body);
  for (const json* body : {&request, &response})
    if (body->is_object() && body->contains("delegation_id") && (*body)["delegation_id"].is_string()) {
      j["delegation_id"] = (*body)["delegation_id"];
      break;
    }
  if (!a.error_detail.empty()) j["error"] = a.error_detail;
  if (response.is_object() && response.contains("text") && response["text"].is_string())
    j["response_preview"] = AgentMessages::preview(response["text"].get<std::string>(), 300);
  else if (a.response_body)
    j["response_preview"] = AgentMessages::preview(*a.response_body, 300);
  return j;
}

Response delegate(Services& svc, const Request& req) {
  auto source = svc.workspaces.findLive(req.param("id"));
  if (!source) return Response::fromError(source.error());
  JsonInput in(req.body);
  const auto target = in.string("target_id");
  const auto task = in.string("task");
  const auto key = in.string("idempotency_key");
  if (in.error()) return Response::error(Errc::invalid_argument, *in.error());
  if (!target || !task || task->empty()) return Response::error(Errc::invalid_argument, "invalid delegation request");
  auto accepted = svc.delegations.delegate(*source, *target, *task, key.value_or(""));
  if (!accepted) return Response::fromError(accepted.error());
  if (accepted->idempotent_hit)
    return Response::json(200, {{"delegation_id", accepted->delegation_id},
                                {"status", accepted->status},
                                {"target_id", accepted->target_id},
                                {"idempotent_hit", true}});
  return Response::json(202, {{"delegation_id", accepted->delegation_id}, {"status", "delegated"}, {"target_id", *target}});
}

Response record(Services& svc, const Request& req) {
  auto source = svc.workspaces.findLive(req.param("id"));
  if (!source) return Response::fromError(source.error());
  JsonInput in(req.body);
  const auto target = in.string("target_id");
  const auto task = in.string("task");
  const auto delegation_id = in.string("delegation_id");
  if (in.error()) return Response::error(Errc::invalid_argument, *in.error());
  if (!target || !task || !delegation_id) return Response::error(Errc::invalid_argument, "invalid request body");
  if (auto recorded = svc.delegations.record(*source, *target, *task, *delegation_id); !recorded)
    return Response::fromError(recorded.error());
  return Response::json(202, {{"delegation_id", *delegation_id}, {"status", "recorded"}});
}

Response update(Services& svc, const Request& req) {
  auto source = svc.workspaces.findLive(req.param("id"));
  if (!source) return Response::fromError(source.error());
  JsonInput in(req.body);
  const auto status = in.string("status");
  const auto error = in.string("error");
  const auto preview = in.string("response_preview");
  if (in.error()) return Response::error(Errc::invalid_argument, *in.error());
  if (!status) return Response::error(Errc::invalid_argument, "invalid request body");
  const std::string& id = req.param("delegation_id");
  if (auto updated = svc.delegations.update(*source, id, *status, error.value_or(""), preview.value_or("")); !updated)
    return Response::fromError(updated.error());
  return Response::json(200, {{"status", *status}, {"delegation_id", id}});
}

Response list(Services& svc, const Request& req) {
  auto source = svc.workspaces.findLive(req.param("id"));
  if (!source) return Response::fromError(source.error());
  auto rows = svc.delegations.list(source->id);
  if (!rows) return Response::fromError(rows.error());
  json out = json::array();
  for (const auto& a : *rows) out.push_back(delegationJson(a));
  return Response::json(200, out);
}

}  // namespace

void registerDelegationRoutes(Router& router, Services& svc) {
  router.add("POST", "/workspaces/:id/delegate", AuthPolicy::workspace, [&svc](const Request& r) { return delegate(svc, r); });
  router.add("GET", "/workspaces/:id/delegations", AuthPolicy::workspace, [&svc](const Request& r) { return list(svc, r); });
  router.add("POST", "/workspaces/:id/delegations/record", AuthPolicy::workspace,
             [&svc](const Request& r) { return record(svc, r); });
  router.add("POST", "/workspaces/:id/delegations/:delegation_id/update", AuthPolicy::workspace,
             [&svc](const Request& r) { return update(svc, r); });
}

}  // namespace ws
