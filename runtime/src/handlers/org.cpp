// POST /org/import (runtime-spec 4.7): a whole organisation of workspaces from one template
// (service/org_templates.h), gated on its required environment and created all or nothing.

#include <nlohmann/json.hpp>

#include "core/json_input.h"
#include "handlers/routes.h"
#include "parity/parity.h"
#include "service/org_templates.h"
#include "service/templates.h"

namespace ws {
namespace {

using nlohmann::json;

// The plan of the template a request names or carries: YAML as the body itself, or JSON
// {"dir": <template of the org templates directory>} or {"template": {...}}.
Result<OrgPlan> requestedPlan(Services& svc, const Request& req, bool& force) {
  if (req.header("content-type").value_or("").find("yaml") != std::string::npos) {
    force = req.queryParam("force").value_or("") == "true";
    return planOrgFromYaml(req.body);
  }
  JsonInput in(req.body);
  force = in.boolean("force").value_or(false);
  const auto dir = in.string("dir");
  const auto tmpl = dir ? std::nullopt : in.object("template");
  if (in.error()) return makeError(Errc::invalid_argument, *in.error());
  if (dir) return planOrgFromDirectory(svc.config.org_templates_dir, *dir);
  if (tmpl) return planOrgFromJson(*tmpl);
  return makeError(Errc::invalid_argument, "send {\"dir\": <template>} or {\"template\": {...}}");
}

Response importOrgWorkspaces(Services& svc, const Request& req) {
  PARITY_IMPL(org_import, docker, "provisionWorkspaceAuto per workspace, bounded by the worker pool");
  PARITY_IMPL(org_import, swarm, "provisionWorkspaceAuto per workspace, bounded by the worker pool");
  PARITY_IMPL(org_import, controlplane, "provisionWorkspaceAuto per workspace, bounded by the worker pool");
  bool force = false;
  auto plan = requestedPlan(svc, req, force);
  if (!plan) return Response::fromError(plan.error());
  // As a single create: a template that does not load refuses the import.
  const TemplateLibrary templates(svc.config.templates_dir);
  for (const Workspace& w : plan->workspaces)
    if (w.template_id)
      if (auto t = templates.load(*w.template_id); !t)
        return Response::error(Errc::invalid_argument, "template " + *w.template_id + " (" + w.name + "): " + t.error().message);

  // Gate 1: required environment, met by global secrets (unless forced).
  if (!force && !plan->required_env.empty()) {
    auto keys = svc.store.globalSecretKeys();
    if (!keys) return Response::fromError(keys.error());
    const EnvGap gap = missingEnv(plan->required_env, *keys);
    if (!gap.missing.empty())
      return Response::json(412, {{"error", "missing required environment variables"},
                                  {"missing_env", gap.missing},
                                  {"required_env", gap.required},
                                  {"template", plan->name},
                                  {"suggestion", "add them as global secrets, or repeat with force=true"}});
  }

  // All or nothing: without a backend for the managed ones, nothing is imported.
  std::vector<WorkspaceService::NewWorkspace> batch;
  json created = json::array();
  for (const Workspace& w : plan->workspaces) {
    batch.push_back({w, {{"name", w.name}, {"tier", w.tier}, {"runtime", w.runtime}, {"org", plan->name}}, {}, {}});
    created.push_back({{"id", w.id}, {"name", w.name}, {"tier", w.tier}});
  }
  if (auto ok = svc.workspaces.create(std::move(batch), WorkspaceService::WithoutBackend::refuse); !ok)
    return Response::fromError(ok.error());
  svc.events().record("ORG_IMPORTED", std::nullopt, {{"org", plan->name}, {"count", created.size()}});
  return Response::json(201, {{"org", plan->name}, {"workspaces", created}, {"count", created.size()}});
}

}  // namespace

void registerOrgRoutes(Router& router, Services& svc) {
  router.add("POST", "/org/import", AuthPolicy::admin, [&svc](const Request& r) { return importOrgWorkspaces(svc, r); });
}

}  // namespace ws
