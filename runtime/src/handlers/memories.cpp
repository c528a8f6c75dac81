// Memories (runtime-spec 6.3 "Memories"): what agents remember, scoped LOCAL (the workspace),
// TEAM (workspaces it may talk to) or GLOBAL (everyone; written by roots only). Content is
// redacted before it is stored, at seed time and on every write, whatever the backend.

#include "core/json_input.h"
#include "core/util.h"
#include "handlers/routes.h"
#include "service/hierarchy.h"
#include "service/memories.h"

namespace ws {
namespace {

using nlohmann::json;


json memoryJson(const MemoryRecord& m, const std::string& reader) {
  std::string content = m.content;
  // Other workspaces' global memories are framed, so that an agent can tell them from its own.
  if (m.scope == "GLOBAL" && m.workspace_id != reader)
    content = "[MEMORY id=" + m.id + " scope=GLOBAL from=" + m.workspace_id + "]: " + content;
  return {{"id", m.id}, {"workspace_id", m.workspace_id}, {"content", content}, {"scope", m.scope},
          {"namespace", m.memory_namespace}, {"created_at", m.created_at}};
}

Response add(Services& svc, const Request& req) {
  auto loaded = svc.workspaces.findLive(req.param("id"));
  if (!loaded) return Response::fromError(loaded.error());
  const Workspace& w = *loaded;
  JsonInput in(req.body);
  auto content = in.string("content");
  auto scope = in.string("scope");
  auto ns = in.string("namespace");
  if (in.error()) return Response::error(Errc::invalid_argument, *in.error());
  if (!content || content->empty()) return Response::error(Errc::invalid_argument, "content is required");
  if (content->size() > kMaxMemoryContent) return Response::error(Errc::too_large, "content is at most 100000 bytes");
  if (ns && ns->size() > kMaxMemoryNamespace) return Response::error(Errc::invalid_argument, "namespace is at most 50 characters");
  auto record = makeMemory(w, *content, scope.value_or("LOCAL"), ns.value_or(""));
  if (!record) return Response::fromError(record.error());
  if (record->scope == "GLOBAL" && w.parent_id) return Response::error(Errc::forbidden, "only root workspaces may write GLOBAL memories");
  if (auto r = svc.store.insertMemory(*record); !r) return Response::fromError(r.error());
  return Response::json(201, {{"id", record->id}, {"scope", record->scope}, {"namespace", record->memory_namespace}});
}

Response list(Services& svc, const Request& req) {
  auto loaded = svc.workspaces.findLive(req.param("id"));
  if (!loaded) return Response::fromError(loaded.error());
  const Workspace& w = *loaded;
  MemoryFilter f;
  f.local_of = {w.id};
  // TEAM memories of every workspace this one may talk to.
  auto all = svc.store.listWorkspaces();
  if (!all) return Response::fromError(all.error());
  for (const auto& other : *all) {
    if (other.id == w.id) continue;
    auto allowed = canCommunicate(svc.store, w.id, other.id);
    if (allowed && *allowed) f.team_of.push_back(other.id);
  }
  if (auto scope = req.queryParam("scope")) {
    if (*scope != "LOCAL" && *scope != "TEAM" && *scope != "GLOBAL") return Response::error(Errc::invalid_argument, "scope must be LOCAL, TEAM or GLOBAL");
    f.scope = *scope;
  }
  if (auto q = req.queryParam("q"); q && !q->empty()) f.query = *q;
  if (auto ns = req.queryParam("namespace"); ns && !ns->empty()) f.memory_namespace = *ns;
  auto limit = readLimitParam(req, 20, 49);
  if (!limit) return Response::error(Errc::invalid_argument, "limit must be between 1 and 49");
  f.limit = *limit;
  auto rows = svc.store.listMemories(f);
  if (!rows) return Response::fromError(rows.error());
  json out = json::array();
  for (const auto& m : *rows) out.push_back(memoryJson(m, w.id));
  return Response::json(200, out);
}

Response remove(Services& svc, const Request& req) {
  auto loaded = svc.workspaces.findLive(req.param("id"));
  if (!loaded) return Response::fromError(loaded.error());
  auto removed = svc.store.deleteMemory(loaded->id, req.param("memoryId"));
  if (!removed) return Response::fromError(removed.error());
  if (!*removed) return Response::error(Errc::not_found, "no such memory in this workspace");
  return Response::json(200, {{"status", "deleted"}});
}

}  // namespace

void registerMemoryRoutes(Router& router, Services& svc) {
  router.add("POST", "/workspaces/:id/memories", AuthPolicy::workspace, [&svc](const Request& r) { return add(svc, r); });
  router.add("GET", "/workspaces/:id/memories", AuthPolicy::workspace, [&svc](const Request& r) { return list(svc, r); });
  router.add("DELETE", "/workspaces/:id/memories/:memoryId", AuthPolicy::workspace,
             [&svc](const Request& r) { return remove(svc, r); });
}

}  // namespace ws
