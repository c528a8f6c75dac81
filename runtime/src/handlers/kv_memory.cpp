// The key-value memory (the reference's memory routes): list, read, write with optimistic
// concurrency, delete.

#include "core/json_input.h"
#include "handlers/routes.h"

namespace ws {
namespace {

using nlohmann::json;

json entryJson(const KvEntry& e) {
  json j{{"key", e.key}, {"value", parseStoredJson(e.value)}, {"version", e.version}, {"updated_at", e.updated_at}};
  if (e.expires_at) j["expires_at"] = *e.expires_at;
  return j;
}

Response list(Services& svc, const Request& req) {
  auto w = svc.workspaces.findLive(req.param("id"));
  if (!w) return Response::fromError(w.error());
  auto entries = svc.kv_memory.list(w->id);
  if (!entries) return Response::fromError(entries.error());
  json out = json::array();
  for (const auto& e : *entries) out.push_back(entryJson(e));
  return Response::json(200, out);
}

Response get(Services& svc, const Request& req) {
  auto w = svc.workspaces.findLive(req.param("id"));
  if (!w) return Response::fromError(w.error());
  auto entry = svc.kv_memory.get(w->id, req.param("key"));
  if (!entry) return Response::fromError(entry.error());
  return Response::json(200, entryJson(*entry));
}

Response set(Services& svc, const Request& req) {
  auto w = svc.workspaces.findLive(req.param("id"));
  if (!w) return Response::fromError(w.error());
  JsonInput in(req.body);
  KeyValueMemory::Write write;
  write.key = in.string("key").value_or("");
  write.ttl_seconds = in.integer("ttl_seconds");
  write.if_match_version = in.integer("if_match_version");
  if (in.error()) return Response::error(Errc::invalid_argument, *in.error());
  if (!in.has("value")) return Response::error(Errc::invalid_argument, "value is required");
  write.value = in.body()["value"].dump();
  auto outcome = svc.kv_memory.set(w->id, write);
  if (!outcome) return Response::fromError(outcome.error());
  if (outcome->kind == KvOutcome::version_mismatch) {
    const auto& current = outcome->current_version;
    return Response::json(409, {{"error", current ? "if_match_version mismatch" : "if_match_version mismatch: key does not exist"},
                                {"expected_version", *write.if_match_version},
                                {"current_version", current ? json(*current) : json(nullptr)}});
  }
  return Response::json(200, {{"status", "ok"}, {"key", write.key}, {"version", outcome->version}});
}

Response remove(Services& svc, const Request& req) {
  auto w = svc.workspaces.findLive(req.param("id"));
  if (!w) return Response::fromError(w.error());
  if (auto removed = svc.kv_memory.remove(w->id, req.param("key")); !removed) return Response::fromError(removed.error());
  return Response::json(200, {{"status", "deleted"}});
}

}  // namespace

void registerKvMemoryRoutes(Router& router, Services& svc) {
  router.add("GET", "/workspaces/:id/memory", AuthPolicy::workspace, [&svc](const Request& r) { return list(svc, r); });
  router.add("GET", "/workspaces/:id/memory/:key", AuthPolicy::workspace, [&svc](const Request& r) { return get(svc, r); });
  router.add("POST", "/workspaces/:id/memory", AuthPolicy::workspace, [&svc](const Request& r) { return set(svc, r); });
  router.add("DELETE", "/workspaces/:id/memory/:key", AuthPolicy::workspace, [&svc](const Request& r) { return remove(svc, r); });
}

}  // namespace ws
