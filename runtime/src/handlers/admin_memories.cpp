// The operators' memory backup (the reference's admin memories routes): export every memory,
// import a backup into the workspaces it names.

#include "core/json.h"
#include "handlers/routes.h"

namespace ws {
namespace {

using nlohmann::json;

Response exportAll(Services& svc) {
  auto all = svc.memory_backup.exportAll();
  if (!all) return Response::fromError(all.error());
  json out = json::array();
  for (const auto& m : *all)
    out.push_back({{"id", m.memory.id},
                   {"content", m.memory.content},
                   {"scope", m.memory.scope},
                   {"namespace", m.memory.memory_namespace},
                   {"created_at", m.memory.created_at},
                   {"workspace_name", m.workspace_name},
                   {"workspace_id", m.memory.workspace_id}});
  return Response::json(200, out);
}

// The whole backup is checked before anything is imported: a malformed one changes nothing.
Response import(Services& svc, const Request& req) {
  auto parsed = parseJson(req.body, JsonLimits{64, MemoryBackup::kMaxImportBytes});
  if (!parsed) return Response::error(parsed.error().code, "invalid JSON: " + parsed.error().message);
  if (!parsed->is_array()) return Response::error(Errc::invalid_argument, "invalid JSON: expected an array of memories");
  if (parsed->size() > MemoryBackup::kMaxEntries)
    return Response::error(Errc::too_large, "at most " + std::to_string(MemoryBackup::kMaxEntries) + " memories per import");
  std::vector<MemoryBackup::Entry> entries;
  entries.reserve(parsed->size());
  for (std::size_t i = 0; i < parsed->size(); ++i) {
    const json& item = (*parsed)[i];
    const std::string at = "entry " + std::to_string(i);
    if (!item.is_object()) return Response::error(Errc::invalid_argument, "invalid JSON: " + at + " is not an object");
    MemoryBackup::Entry e;
    for (auto [key, into] : {std::pair{"content", &e.content}, {"scope", &e.scope}, {"namespace", &e.memory_namespace},
                             {"created_at", &e.created_at}, {"workspace_name", &e.workspace_name},
                             {"workspace_id", &e.workspace_id}}) {
      if (!item.contains(key) || item[key].is_null()) continue;
      if (!item[key].is_string()) return Response::error(Errc::invalid_argument, "invalid JSON: " + at + ": " + key + " must be a string");
      *into = item[key].get<std::string>();
    }
    entries.push_back(std::move(e));
  }
  auto counts = svc.memory_backup.import(entries);
  if (!counts) return Response::fromError(counts.error());
  return Response::json(200, {{"imported", counts->imported}, {"skipped", counts->skipped}, {"errors", counts->errors},
                              {"total", counts->total}});
}

}  // namespace

void registerAdminMemoryRoutes(Router& router, Services& svc) {
  router.addBlocking("GET", "/admin/memories/export", AuthPolicy::admin, [&svc](const Request&) { return exportAll(svc); });
  router.addBlocking("POST", "/admin/memories/import", AuthPolicy::admin, [&svc](const Request& r) { return import(svc, r); });
  router.setBodyLimit("POST", "/admin/memories/import", MemoryBackup::kMaxImportBytes);
}

}  // namespace ws
