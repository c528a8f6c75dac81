// Workspace templates (runtime-spec 6.3 "Templates and config"): the library of templates,
// importing one, and the shared context a workspace's config.yaml names.

#include <nlohmann/json.hpp>

#include "core/json_input.h"
#include "core/tar.h"
#include "handlers/routes.h"
#include "service/org_templates.h"
#include "service/templates.h"

namespace ws {
namespace {

using nlohmann::json;

json render(const TemplateSummary& t) {
  json out = {{"id", t.id},         {"name", t.name},   {"description", t.description},
              {"tier", t.tier},     {"runtime", t.runtime}, {"model", t.model},
              {"skills", t.skills}, {"skill_count", t.skills.size()}};
  if (!t.models.empty()) {
    out["models"] = json::array();
    for (const auto& m : t.models) {
      json model = {{"id", m.id}};
      if (!m.name.empty()) model["name"] = m.name;
      if (!m.required_env.empty()) model["required_env"] = m.required_env;
      out["models"].push_back(model);
    }
  }
  if (!t.required_env.empty()) out["required_env"] = t.required_env;
  if (t.provision_timeout_seconds) out["provision_timeout_seconds"] = *t.provision_timeout_seconds;
  return out;
}

Response list(Services& svc) {
  json out = json::array();
  for (const auto& t : TemplateLibrary(svc.config.templates_dir).list()) out.push_back(render(t));
  return Response::json(200, out);
}

Response import(Services& svc, const Request& req) {
  JsonInput in(req.body);
  const auto name = in.string("name");
  const auto files = in.object("files");
  if (in.error()) return Response::error(Errc::invalid_argument, *in.error());
  if (!name || name->empty() || !files) return Response::error(Errc::invalid_argument, "name and files are required");
  std::map<std::string, std::string> contents;
  for (const auto& [path, content] : files->items()) {
    if (!content.is_string()) return Response::error(Errc::invalid_argument, "file " + path + " must be a string");
    contents[path] = content.get<std::string>();
  }
  auto id = TemplateLibrary(svc.config.templates_dir).import(*name, contents);
  if (!id && id.error().code == Errc::conflict)
    return Response::json(409, {{"error", "template already exists"}, {"id", templateIdFor(*name)}});
  if (!id) return Response::fromError(id.error());
  return Response::json(201, {{"status", "imported"}, {"id", *id}, {"name", *name}});
}

Response listOrg(Services& svc) {
  json out = json::array();
  for (const auto& t : listOrgTemplates(svc.config.org_templates_dir))
    out.push_back({{"dir", t.dir},
                   {"name", t.name},
                   {"description", t.description},
                   {"workspaces", t.workspaces},
                   {"required_env", t.required_env}});
  return Response::json(200, out);
}

/// One file of a running workload's /configs.
Result<std::string> workloadFile(Services& svc, const std::string& id, const std::string& path) {
  auto tar = svc.workspaces.readArchiveAuto(id, "/configs/" + path);
  if (!tar) return tar.error();
  auto entries = readTar(*tar);
  if (!entries) return entries.error();
  if (entries->size() != 1 || entries->front().directory) return makeError(Errc::invalid_argument, path + " is not a file");
  return std::move(entries->front().content);
}

// The files the workspace's config.yaml lists under shared_context: read from its running
// workload; otherwise (stopped, or an external agent) from the template it was created from.
Response sharedContext(Services& svc, const Request& req) {
  auto w = svc.workspaces.findLive(req.param("id"));
  if (!w) return Response::fromError(w.error());
  std::vector<ContextFile> files;
  if (!w->external && isServing(w->status) && svc.workspaces.hasProvisioner()) {
    if (auto config = workloadFile(svc, w->id, "config.yaml"))
      files = ws::sharedContext(*config, [&](const std::string& p) { return workloadFile(svc, w->id, p); });
  } else if (w->template_id) {
    if (auto t = TemplateLibrary(svc.config.templates_dir).load(*w->template_id)) {
      files = ws::sharedContext(t->files["config.yaml"], [&](const std::string& p) -> Result<std::string> {
        if (auto it = t->files.find(p); it != t->files.end()) return it->second;
        return makeError(Errc::not_found, p);
      });
    }
  }
  json out = json::array();
  for (const auto& f : files) out.push_back({{"path", f.path}, {"content", f.content}});
  return Response::json(200, out);
}

}  // namespace

void registerTemplateRoutes(Router& router, Services& svc) {
  // The template library is files on disk, and shared context reads the workload: off the I/O threads.
  router.addBlocking("GET", "/templates", AuthPolicy::admin, [&svc](const Request&) { return list(svc); });
  router.addBlocking("POST", "/templates/import", AuthPolicy::admin, [&svc](const Request& r) { return import(svc, r); });
  router.addBlocking("GET", "/org/templates", AuthPolicy::admin, [&svc](const Request&) { return listOrg(svc); });
  router.addBlocking("GET", "/workspaces/:id/shared-context", AuthPolicy::workspace,
                     [&svc](const Request& r) { return sharedContext(svc, r); });
}

}  // namespace ws
