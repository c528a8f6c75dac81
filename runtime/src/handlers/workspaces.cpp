// Workspace CRUD and state (runtime-spec 4.2, 4.5, 6.3).

#include <spdlog/spdlog.h>

#include "core/json_input.h"
#include "core/json_writer.h"
#include "core/util.h"
#include "handlers/routes.h"
#include "service/memories.h"
#include "service/templates.h"
#include "service/validation.h"

namespace ws {
namespace {

using nlohmann::json;

// Canvas position, when the body carries {"canvas": {"x": .., "y": ..}} or top-level x and y.
void readPosition(JsonInput& in, std::optional<double>& x, std::optional<double>& y) {
  if (auto canvas = in.object("canvas")) {
    JsonInput c(canvas->dump());
    x = c.number("x");
    y = c.number("y");
    if (c.error()) in.fail("canvas." + *c.error());
  } else {
    x = in.number("x");
    y = in.number("y");
  }
}

std::string platformUrlFor(const Services& svc, const Request& req) {
  if (!svc.config.platform_url.empty()) return svc.config.platform_url;
  const auto proto = req.header("x-forwarded-proto").value_or("http");
  const auto host = req.header("x-forwarded-host").value_or(req.header("host").value_or("localhost"));
  return proto + "://" + host;
}

/// hibernation_idle_minutes: null, or 0 (off) to a year.
std::optional<Response> badIdleMinutes(const std::optional<std::int64_t>& minutes) {
  if (minutes && (*minutes < 0 || *minutes > 525600))
    return Response::error(Errc::invalid_argument, "hibernation_idle_minutes must be between 0 and 525600");
  return std::nullopt;
}

Response create(Services& svc, const Request& req) {
  JsonInput in(req.body);
  auto name = in.string("name");
  auto role = in.string("role");
  auto tier = in.integer("tier");
  auto runtime = in.string("runtime");
  auto model = in.string("model");
  const auto template_name = in.string("template");
  auto parent_id = in.string("parent_id");
  auto dir = in.string("workspace_dir");
  auto access = in.string("workspace_access");
  auto external = in.boolean("external");
  auto url = in.string("url");
  auto budget = in.integer("budget_limit");
  auto max_tasks = in.integer("max_concurrent_tasks");
  auto idle_minutes = in.integer("hibernation_idle_minutes");
  auto secrets = in.object("secrets");
  const json memory_input = in.has("initial_memories") ? in.body()["initial_memories"] : json();
  std::optional<double> x, y;
  readPosition(in, x, y);
  if (in.error()) return Response::error(Errc::invalid_argument, *in.error());

  if (!name || name->empty()) return Response::error(Errc::invalid_argument, "name is required");
  if (auto ok = validateWorkspaceText(name, role, model, runtime); !ok) return Response::fromError(ok.error());
  if (tier && (*tier < 0 || *tier > 4)) return Response::error(Errc::invalid_argument, "tier must be between 1 and 4");
  if (dir && !dir->empty()) {
    auto normal = normaliseWorkspaceDir(*dir, svc.config.workspace_dir_root);
    if (!normal) return Response::fromError(normal.error());
    dir = *normal;
  }
  if (auto ok = validateWorkspaceAccess(access.value_or(""), dir && !dir->empty()); !ok)
    return Response::fromError(ok.error());
  if (budget && *budget < 0) return Response::error(Errc::invalid_argument, "budget_limit must be >= 0");
  if (max_tasks && (*max_tasks < 1 || *max_tasks > 1000))
    return Response::error(Errc::invalid_argument, "max_concurrent_tasks must be between 1 and 1000");
  if (auto bad = badIdleMinutes(idle_minutes)) return *bad;
  std::vector<std::pair<std::string, std::string>> secret_values;
  const json secret_input = secrets.value_or(json::object());
  for (const auto& [key, value] : secret_input.items()) {
    if (!value.is_string()) return Response::error(Errc::invalid_argument, "secret " + key + " must be a string");
    if (auto ok = validateSecret(key, value.get_ref<const std::string&>()); !ok) return Response::fromError(ok.error());
    secret_values.emplace_back(key, value.get<std::string>());
  }
  if (parent_id) {
    auto parent = svc.workspaces.findLive(*parent_id);
    if (!parent) return parent.error().code == Errc::not_found ? Response::error(Errc::invalid_argument, "parent workspace not found") : Response::fromError(parent.error());
  }
  // A template gives its runtime and model to a workspace that names none.
  std::optional<std::string> template_id;
  if (template_name && !template_name->empty()) {
    auto t = TemplateLibrary(svc.config.templates_dir).load(*template_name);
    if (!t) return Response::error(Errc::invalid_argument, t.error().code == Errc::not_found ? "template not found: " + *template_name : t.error().message);
    if ((!runtime || runtime->empty()) && !t->summary.runtime.empty()) runtime = t->summary.runtime;
    if ((!model || model->empty()) && !t->summary.model.empty()) model = t->summary.model;
    if (auto ok = validateWorkspaceText(name, role, model, runtime); !ok) return Response::fromError(ok.error());
    template_id = t->summary.id;
  }
  const bool is_external = external.value_or(false) || runtime.value_or("") == "external";
  if (is_external && url && !url->empty()) {
    if (auto ok = validateAgentUrl(*url, svc.a2a.agentUrlPolicy()); !ok) return Response::fromError(ok.error());
  }

  Workspace w;
  w.id = newUuid();
  w.name = *name;
  w.role = role;
  w.tier = tier && *tier > 0 ? static_cast<int>(*tier) : 3;
  w.runtime = runtime && !runtime->empty() ? *runtime : "langgraph";
  w.model = model.value_or("");
  w.template_id = template_id;
  w.parent_id = parent_id;
  if (dir && !dir->empty()) w.workspace_dir = dir;
  w.workspace_access = access && !access->empty() ? *access : "none";
  w.external = is_external;
  w.budget_limit = budget;
  w.max_concurrent_tasks = static_cast<int>(max_tasks.value_or(1));
  if (idle_minutes && *idle_minutes > 0) w.hibernation_idle_minutes = static_cast<int>(*idle_minutes);
  w.awareness_namespace = "workspace:" + w.id;
  w.created_at = w.updated_at = nowTime();
  w.x = x.value_or(0);
  w.y = y.value_or(0);

  auto memories = initialMemories(w, memory_input);
  if (!memories) return Response::error(Errc::invalid_argument, memories.error().message);
  if (is_external && url) w.url = *url;

  WorkspaceService::NewWorkspace created{w, {{"name", w.name}, {"tier", w.tier}, {"runtime", w.runtime}},
                                         std::move(secret_values), std::move(*memories)};
  if (auto ok = svc.workspaces.create({std::move(created)}); !ok) return Response::fromError(ok.error());

  if (is_external) {
    if (!w.url.empty()) return Response::json(201, {{"id", w.id}, {"external", true}, {"status", "online"}});
    auto token = svc.credentials.issueToken(w.id);
    if (!token) return Response::fromError(token.error());
    const std::string base = platformUrlFor(svc, req);
    return Response::json(
        201, {{"id", w.id},
              {"external", true},
              {"status", "awaiting_agent"},
              {"connection",
               {{"workspace_id", w.id},
                {"platform_url", base},
                {"auth_token", *token},
                {"registry_endpoint", base + "/registry/register"},
                {"heartbeat_endpoint", base + "/registry/heartbeat"},
                {"curl_register_template",
                 "curl -X POST " + base + "/registry/register -H 'Authorization: Bearer " + *token +
                     "' -H 'Content-Type: application/json' -d '{\"id\":\"" + w.id +
                     "\",\"url\":\"<YOUR_AGENT_URL>\",\"agent_card\":{\"name\":\"" + w.name + "\"}}'"},
                {"python_snippet",
                 "import requests\nrequests.post(\"" + base + "/registry/register\", headers={\"Authorization\": \"Bearer " +
                     *token + "\"}, json={\"id\": \"" + w.id +
                     "\", \"url\": \"<YOUR_AGENT_URL>\", \"agent_card\": {\"name\": " + json(w.name).dump() + "}})\n"}}}});
  }

  auto now = svc.store.findWorkspace(w.id);
  const std::string status = now && *now ? std::string(toString((*now)->status)) : "provisioning";
  return Response::json(201, {{"id", w.id},
                              {"status", status},
                              {"awareness_namespace", w.awareness_namespace},
                              {"workspace_access", w.workspace_access}});
}

Response list(Services& svc) {
  auto all = svc.store.listWorkspaces();
  if (!all) return Response::fromError(all.error());
  Response res;
  res.body.reserve(all->size() * 640);
  JsonWriter out(res.body);
  out.beginArray();
  for (const auto& w : *all) writeWorkspaceJson(out, w, WorkspaceView::list);
  out.endArray();
  return res;
}

Response get(Services& svc, const Request& req) {
  auto loaded = svc.workspaces.findLive(req.param("id"));
  if (!loaded) return Response::fromError(loaded.error());
  // The route is open (the canvas polls it); what a workspace is doing is for its owners.
  const bool owned = !req.bearer().empty() && !svc.auth.workspace(req, loaded->id);
  Response res;
  JsonWriter out(res.body);
  writeWorkspaceJson(out, *loaded, owned ? WorkspaceView::single_owned : WorkspaceView::single);
  return res;
}

Response update(Services& svc, const Request& req) {
  const std::string& id = req.param("id");
  auto loaded = svc.workspaces.findLive(id);
  if (!loaded) return Response::fromError(loaded.error());
  JsonInput in(req.body);
  WorkspaceUpdate u;
  u.name = in.string("name");
  if (in.has("role")) u.role = in.string("role");
  // What decides where and how privileged the workload runs is the operator's, not the agent's.
  for (const char* field : {"tier", "workspace_dir", "workspace_access", "runtime"})
    if (in.has(field) && !svc.auth.isAdmin(req))
      return Response::error(Errc::forbidden, std::string("changing ") + field + " needs the admin token");
  if (auto tier = in.integer("tier")) {
    if (*tier < 1 || *tier > 4) return Response::error(Errc::invalid_argument, "tier must be between 1 and 4");
    u.tier = static_cast<int>(*tier);
  }
  if (in.has("parent_id")) u.parent_id = in.string("parent_id");
  u.runtime = in.string("runtime");
  u.collapsed = in.boolean("collapsed");
  if (in.has("workspace_dir")) u.workspace_dir = in.string("workspace_dir");
  u.workspace_access = in.string("workspace_access");
  const auto idle_minutes = in.integer("hibernation_idle_minutes");
  readPosition(in, u.x, u.y);
  if (in.error()) return Response::error(Errc::invalid_argument, *in.error());
  if (auto bad = badIdleMinutes(idle_minutes)) return *bad;
  // null or 0 turns idle hibernation off.
  if (in.has("hibernation_idle_minutes"))
    u.hibernation_idle_minutes = idle_minutes && *idle_minutes > 0 ? std::optional<int>(static_cast<int>(*idle_minutes)) : std::nullopt;
  if (u.x.has_value() != u.y.has_value()) return Response::error(Errc::invalid_argument, "x and y must be sent together");
  if (u.name && u.name->empty()) return Response::error(Errc::invalid_argument, "name must not be empty");
  if (auto ok = validateWorkspaceText(u.name, u.role ? *u.role : std::nullopt, std::nullopt, u.runtime); !ok)
    return Response::fromError(ok.error());
  if (u.runtime && u.runtime->empty()) return Response::error(Errc::invalid_argument, "runtime must not be empty");
  const auto& w = *loaded;
  const auto dir = u.workspace_dir ? *u.workspace_dir : w.workspace_dir;
  if (u.workspace_dir && *u.workspace_dir && !(*u.workspace_dir)->empty()) {
    auto normal = normaliseWorkspaceDir(**u.workspace_dir, svc.config.workspace_dir_root);
    if (!normal) return Response::fromError(normal.error());
    u.workspace_dir = std::optional<std::string>(*normal);
  }
  if (u.workspace_dir && *u.workspace_dir && (*u.workspace_dir)->empty()) u.workspace_dir = std::optional<std::string>();
  if (auto ok = validateWorkspaceAccess(u.workspace_access.value_or(w.workspace_access), dir && !dir->empty()); !ok)
    return Response::fromError(ok.error());
  if (u.parent_id && *u.parent_id) {
    const std::string& parent = **u.parent_id;
    if (parent == id) return Response::error(Errc::invalid_argument, "a workspace cannot be its own parent");
    auto p = svc.workspaces.findLive(parent);
    if (!p) return p.error().code == Errc::not_found ? Response::error(Errc::invalid_argument, "parent workspace not found") : Response::fromError(p.error());
    auto below = svc.store.descendants(id);
    if (!below) return Response::fromError(below.error());
    for (const auto& d : *below)
      if (d.id == parent) return Response::error(Errc::invalid_argument, "parent_id would create a cycle");
  }
  auto updated = svc.store.updateWorkspace(id, u);
  if (!updated) return Response::fromError(updated.error());
  if (!*updated) return Response::error(Errc::not_found, "workspace not found");
  svc.events().record("WORKSPACE_UPDATED", id, in.body());
  json out{{"status", "updated"}};
  if (u.workspace_dir) out["needs_restart"] = true;
  return Response::json(200, out);
}

Response remove(Services& svc, const Request& req) {
  const std::string& id = req.param("id");
  auto loaded = svc.workspaces.findLive(id);
  if (!loaded) return Response::fromError(loaded.error());
  const bool confirm = req.queryParam("confirm").value_or("") == "true";
  const bool purge = req.queryParam("purge").value_or("") == "true";

  auto children = svc.store.children(id);
  if (!children) return Response::fromError(children.error());
  if (!children->empty() && !confirm) {
    json list = json::array();
    for (const auto& c : *children) list.push_back({{"id", c.id}, {"name", c.name}});
    return Response::json(409, {{"status", "confirmation_required"},
                                {"message", "workspace has children; repeat with ?confirm=true to delete them too"},
                                {"children", list},
                                {"children_count", children->size()}});
  }
  auto below = svc.store.descendants(id);
  if (!below) return Response::fromError(below.error());

  std::vector<std::string> ids;
  std::vector<json> payloads;
  for (const auto& d : *below) {
    ids.push_back(d.id);
    payloads.push_back({{"name", d.name}});
  }
  ids.push_back(id);
  payloads.push_back({{"name", loaded->name}, {"cascade_deleted", below->size()}});
  auto done = svc.workspaces.teardown(ids, payloads);
  if (!done) return Response::fromError(done.error());
  if (!done->failures.empty()) {
    std::string joined;
    for (const auto& f : done->failures) joined += (joined.empty() ? "" : "; ") + f;
    return Response::json(500, {{"error", "workspace marked removed, but " + std::to_string(done->failures.size()) +
                                              " stop call(s) failed — please retry: " + joined},
                                {"removed_count", ids.size()},
                                {"stop_failures", done->failures.size()}});
  }
  if (purge) {
    if (auto ok = svc.store.purge(ids); !ok) return Response::fromError(ok.error());
    return Response::json(200, {{"status", "purged"}, {"cascade_deleted", below->size()}});
  }
  return Response::json(200, {{"status", "removed"}, {"cascade_deleted", below->size()}});
}

Response state(Services& svc, const Request& req) {
  const std::string& id = req.param("id");
  if (!isUuid(id)) return Response::error(Errc::invalid_argument, "invalid workspace id");
  if (auto denied = svc.auth.tokenGate(req, id)) return *denied;
  auto found = svc.store.findWorkspace(id);
  if (!found) return Response::fromError(found.error());
  if (!*found) return Response::json(404, {{"workspace_id", id}, {"deleted", true}});
  const auto& w = **found;
  if (w.status == Status::removed)
    return Response::json(404, {{"workspace_id", id}, {"status", "removed"}, {"deleted", true}});
  return Response::json(200, {{"workspace_id", id},
                              {"status", toString(w.status)},
                              {"paused", w.status == Status::paused},
                              {"deleted", false}});
}

}  // namespace

void registerWorkspaceRoutes(Router& router, Services& svc) {
  router.add("GET", "/workspaces", AuthPolicy::admin, [&svc](const Request&) { return list(svc); });
  router.addBlocking("POST", "/workspaces", AuthPolicy::admin, [&svc](const Request& r) { return create(svc, r); });
  router.add("GET", "/workspaces/:id", AuthPolicy::open, [&svc](const Request& r) { return get(svc, r); });
  router.add("PATCH", "/workspaces/:id", AuthPolicy::workspace, [&svc](const Request& r) { return update(svc, r); });
  router.addBlocking("DELETE", "/workspaces/:id", AuthPolicy::admin, [&svc](const Request& r) { return remove(svc, r); });
  router.add("GET", "/workspaces/:id/state", AuthPolicy::workspace, [&svc](const Request& r) { return state(svc, r); });
}

}  // namespace ws
