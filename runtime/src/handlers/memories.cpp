// Memories (runtime-spec 6.3 "Memories"): what agents remember, scoped LOCAL (the workspace),
// TEAM (workspaces it may talk to) or GLOBAL (everyone; written by roots only). Content is
// redacted before it is stored, at seed time and on every write, whatever the backend.

#include "../core/redact.h"
#include "../core/util.h"
#include "app.h"
#include "json_input.h"
#include "parity/parity.h"

namespace ws {
namespace {

using nlohmann::json;

constexpr std::size_t kMaxContentBytes = 100000;
constexpr std::size_t kMaxNamespace = 50;

json memoryJson(const MemoryRecord& m, const std::string& reader) {
  std::string content = m.content;
  // Other workspaces' global memories are framed, so that an agent can tell them from its own.
  if (m.scope == "GLOBAL" && m.workspace_id != reader)
    content = "[MEMORY id=" + m.id + " scope=GLOBAL from=" + m.workspace_id + "]: " + content;
  return {{"id", m.id}, {"workspace_id", m.workspace_id}, {"content", content}, {"scope", m.scope},
          {"namespace", m.memory_namespace}, {"created_at", m.created_at}};
}

Response add(App& app, const Request& req) {
  auto loaded = loadLiveWorkspace(app.store, req.param("id"));
  if (loaded.error) return *loaded.error;
  const Workspace& w = *loaded.workspace;
  JsonInput in(req.body);
  auto content = in.string("content");
  auto scope = in.string("scope");
  auto ns = in.string("namespace");
  if (in.error()) return Response::error(400, *in.error());
  if (!content || content->empty()) return Response::error(400, "content is required");
  if (content->size() > kMaxContentBytes) return Response::error(413, "content is at most 100000 bytes");
  if (ns && ns->size() > kMaxNamespace) return Response::error(400, "namespace is at most 50 characters");
  auto record = makeMemory(w, *content, scope.value_or("LOCAL"), ns.value_or(""));
  if (!record) return Response::fromError(record.error());
  if (record->scope == "GLOBAL" && w.parent_id) return Response::error(403, "only root workspaces may write GLOBAL memories");
  if (auto r = app.store.insertMemory(*record); !r) return Response::fromError(r.error());
  return Response::json(201, {{"id", record->id}, {"scope", record->scope}, {"namespace", record->memory_namespace}});
}

Response list(App& app, const Request& req) {
  auto loaded = loadLiveWorkspace(app.store, req.param("id"));
  if (loaded.error) return *loaded.error;
  const Workspace& w = *loaded.workspace;
  MemoryFilter f;
  f.local_of = {w.id};
  // TEAM memories of every workspace this one may talk to.
  auto all = app.store.listWorkspaces();
  if (!all) return Response::fromError(all.error());
  for (const auto& other : *all) {
    if (other.id == w.id) continue;
    auto allowed = canCommunicate(app.store, w.id, other.id);
    if (allowed && *allowed) f.team_of.push_back(other.id);
  }
  if (auto scope = req.queryParam("scope")) {
    if (*scope != "LOCAL" && *scope != "TEAM" && *scope != "GLOBAL") return Response::error(400, "scope must be LOCAL, TEAM or GLOBAL");
    f.scope = *scope;
  }
  if (auto q = req.queryParam("q"); q && !q->empty()) f.query = *q;
  if (auto ns = req.queryParam("namespace"); ns && !ns->empty()) f.memory_namespace = *ns;
  auto limit = readLimitParam(req, 20, 49);
  if (!limit) return Response::error(400, "limit must be between 1 and 49");
  f.limit = *limit;
  auto rows = app.store.listMemories(f);
  if (!rows) return Response::fromError(rows.error());
  json out = json::array();
  for (const auto& m : *rows) out.push_back(memoryJson(m, w.id));
  return Response::json(200, out);
}

Response remove(App& app, const Request& req) {
  auto loaded = loadLiveWorkspace(app.store, req.param("id"));
  if (loaded.error) return *loaded.error;
  auto removed = app.store.deleteMemory(loaded.workspace->id, req.param("memoryId"));
  if (!removed) return Response::fromError(removed.error());
  if (!*removed) return Response::error(404, "no such memory in this workspace");
  return Response::json(200, {{"status", "deleted"}});
}

}  // namespace

Result<MemoryRecord> makeMemory(const Workspace& w, std::string_view content, std::string scope, std::string ns) {
  PARITY_IMPL(secrets_redaction, docker, "redactSecrets on every memory write and seed, before storage");
  PARITY_IMPL(secrets_redaction, ec2, "redactSecrets on every memory write and seed, before storage");
  for (auto& ch : scope) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  if (scope.empty()) scope = "LOCAL";
  if (scope != "LOCAL" && scope != "TEAM" && scope != "GLOBAL")
    return makeError(Errc::invalid_argument, "scope must be LOCAL, TEAM or GLOBAL");
  std::string text = redactSecrets(content.substr(0, kMaxContentBytes));
  // A global memory must not be able to forge another one's frame.
  if (scope == "GLOBAL")
    for (std::size_t at = 0; (at = text.find("[MEMORY ", at)) != std::string::npos; at += 9) text.replace(at, 8, "[_MEMORY ");
  return MemoryRecord{newUuid(), w.id, std::move(text), scope, ns.empty() ? w.awareness_namespace : ns, nowTime()};
}

Result<std::vector<MemoryRecord>> initialMemories(const Workspace& w, const json& list) {
  PARITY_IMPL(memory_seed, docker, "stored with the workspace row at create, before the backend starts it");
  PARITY_IMPL(memory_seed, ec2, "stored with the workspace row at create, before the backend starts it");
  std::vector<MemoryRecord> out;
  if (list.is_null()) return out;
  if (!list.is_array()) return makeError(Errc::invalid_argument, "initial_memories must be an array");
  for (const auto& item : list) {
    if (!item.is_object() || !item.contains("content") || !item["content"].is_string())
      return makeError(Errc::invalid_argument, "each initial memory needs a string content");
    const std::string scope = item.contains("scope") && item["scope"].is_string() ? item["scope"].get<std::string>() : "";
    const std::string ns = item.contains("namespace") && item["namespace"].is_string() ? item["namespace"].get<std::string>() : "";
    if (ns.size() > kMaxNamespace) return makeError(Errc::invalid_argument, "namespace is at most 50 characters");
    auto m = makeMemory(w, item["content"].get_ref<const std::string&>(), scope, ns);
    if (!m) return m.error();
    out.push_back(std::move(*m));
  }
  return out;
}

void registerMemoryRoutes(Router& router, App& app) {
  router.add("POST", "/workspaces/:id/memories", AuthPolicy::workspace, [&app](const Request& r) { return add(app, r); });
  router.add("GET", "/workspaces/:id/memories", AuthPolicy::workspace, [&app](const Request& r) { return list(app, r); });
  router.add("DELETE", "/workspaces/:id/memories/:memoryId", AuthPolicy::workspace,
             [&app](const Request& r) { return remove(app, r); });
}

}  // namespace ws
