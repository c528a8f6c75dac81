// Secrets (runtime-spec 6.3 "Secrets"): per workspace and global, sealed at rest, opened into
// the start environment of every workspace on every backend. Values are never listed or
// logged; a change restarts the workspaces it affects so that they see it.

#include "app.h"
#include "json_input.h"
#include "validation.h"

namespace ws {
namespace {

using nlohmann::json;

constexpr const char* kModelKey = "MODEL_PROVIDER";

json describe(const SecretRecord& r, const char* scope) {
  return {{"key", r.key}, {"has_value", true}, {"scope", scope}, {"created_at", r.created_at}, {"updated_at", r.updated_at}};
}

/// {key, value} from the body, or the response to send.
std::variant<std::pair<std::string, std::string>, Response> keyAndValue(const Request& req) {
  JsonInput in(req.body);
  auto key = in.string("key");
  auto value = in.string("value");
  if (in.error()) return Response::error(400, *in.error());
  if (!key || !value) return Response::error(400, "key and value are required");
  if (auto e = validateSecret(*key, *value)) return Response::error(400, *e);
  return std::pair{*key, *value};
}

Response listWorkspace(App& app, const Request& req) {
  auto loaded = loadLiveWorkspace(app.store, req.param("id"));
  if (loaded.error) return *loaded.error;
  auto own = app.workspaces.secrets().list(loaded.workspace->id);
  auto global = app.workspaces.secrets().list("");
  if (!own || !global) return Response::fromError(!own ? own.error() : global.error());
  json out = json::array();
  std::set<std::string> shadowed;
  for (const auto& r : *own) {
    out.push_back(describe(r, "workspace"));
    shadowed.insert(r.key);
  }
  for (const auto& r : *global)
    if (!shadowed.contains(r.key)) out.push_back(describe(r, "global"));
  return Response::json(200, out);
}

Response values(App& app, const Request& req) {
  auto loaded = loadLiveWorkspace(app.store, req.param("id"));
  if (loaded.error) return *loaded.error;
  auto opened = app.workspaces.secrets().environment(loaded.workspace->id);
  if (!opened) return Response::fromError(opened.error());
  if (!opened->failed.empty())
    return Response::json(500, {{"error", "cannot decrypt secrets"}, {"failed_keys", opened->failed}});
  return Response::json(200, opened->values);
}

Response putWorkspace(App& app, const Request& req) {
  auto loaded = loadLiveWorkspace(app.store, req.param("id"));
  if (loaded.error) return *loaded.error;
  auto input = keyAndValue(req);
  if (auto* r = std::get_if<Response>(&input)) return *r;
  const auto& [key, value] = std::get<0>(input);
  if (auto r = app.workspaces.secrets().put(loaded.workspace->id, key, value); !r) return Response::fromError(r.error());
  app.workspaces.restartInBackground(loaded.workspace->id);
  return Response::json(200, {{"status", "saved"}, {"key", key}});
}

Response removeWorkspace(App& app, const Request& req) {
  auto loaded = loadLiveWorkspace(app.store, req.param("id"));
  if (loaded.error) return *loaded.error;
  const std::string key = req.param("key");
  auto removed = app.workspaces.secrets().remove(loaded.workspace->id, key);
  if (!removed) return Response::fromError(removed.error());
  if (!*removed) return Response::error(404, "no secret " + key);
  app.workspaces.restartInBackground(loaded.workspace->id);
  return Response::json(200, {{"status", "deleted"}, {"key", key}});
}

Response listGlobal(App& app) {
  auto global = app.workspaces.secrets().list("");
  if (!global) return Response::fromError(global.error());
  json out = json::array();
  for (const auto& r : *global) out.push_back(describe(r, "global"));
  return Response::json(200, out);
}

/// Restarts every running workspace that sees the global `key` (it does not override it).
void restartSeeing(App& app, const std::string& key) {
  auto all = app.store.listWorkspaces();
  if (!all) return;
  for (const auto& w : *all) {
    if (w.external || w.status == Status::removed || w.status == Status::paused) continue;
    auto own = app.workspaces.secrets().list(w.id);
    if (own && std::none_of(own->begin(), own->end(), [&](const SecretRecord& r) { return r.key == key; }))
      app.workspaces.restartInBackground(w.id);
  }
}

Response putGlobal(App& app, const Request& req) {
  auto input = keyAndValue(req);
  if (auto* r = std::get_if<Response>(&input)) return *r;
  const auto& [key, value] = std::get<0>(input);
  if (auto r = app.workspaces.secrets().put("", key, value); !r) return Response::fromError(r.error());
  restartSeeing(app, key);
  return Response::json(200, {{"status", "saved"}, {"key", key}, {"scope", "global"}});
}

Response removeGlobal(App& app, const Request& req) {
  const std::string key = req.param("key");
  auto removed = app.workspaces.secrets().remove("", key);
  if (!removed) return Response::fromError(removed.error());
  if (!*removed) return Response::error(404, "no global secret " + key);
  restartSeeing(app, key);
  return Response::json(200, {{"status", "deleted"}, {"key", key}, {"scope", "global"}});
}

Response getModel(App& app, const Request& req) {
  auto loaded = loadLiveWorkspace(app.store, req.param("id"));
  if (loaded.error) return *loaded.error;
  auto model = app.workspaces.secrets().get(loaded.workspace->id, kModelKey);
  if (!model) return Response::fromError(model.error());
  if (!*model) return Response::json(200, {{"model", loaded.workspace->model}, {"source", "default"}});
  return Response::json(200, {{"model", **model}, {"source", "workspace_secrets"}});
}

Response putModel(App& app, const Request& req) {
  auto loaded = loadLiveWorkspace(app.store, req.param("id"));
  if (loaded.error) return *loaded.error;
  JsonInput in(req.body);
  auto model = in.string("model");
  if (in.error()) return Response::error(400, *in.error());
  if (!model) return Response::error(400, "model is required");
  const std::string& id = loaded.workspace->id;
  json reply;
  if (model->empty()) {
    auto removed = app.workspaces.secrets().remove(id, kModelKey);
    if (!removed) return Response::fromError(removed.error());
    reply = {{"status", "cleared"}};
  } else {
    if (model->size() > 256) return Response::error(400, "model is at most 256 characters");
    if (auto r = app.workspaces.secrets().put(id, kModelKey, *model); !r) return Response::fromError(r.error());
    reply = {{"status", "saved"}, {"model", *model}};
  }
  app.workspaces.restartInBackground(id);
  return Response::json(200, reply);
}

}  // namespace

void registerSecretRoutes(Router& router, App& app) {
  router.add("GET", "/workspaces/:id/secrets", AuthPolicy::workspace, [&app](const Request& r) { return listWorkspace(app, r); });
  router.add("GET", "/workspaces/:id/secrets/values", AuthPolicy::workspace, [&app](const Request& r) { return values(app, r); });
  for (const char* method : {"POST", "PUT"})
    router.add(method, "/workspaces/:id/secrets", AuthPolicy::workspace, [&app](const Request& r) { return putWorkspace(app, r); });
  router.add("DELETE", "/workspaces/:id/secrets/:key", AuthPolicy::workspace,
             [&app](const Request& r) { return removeWorkspace(app, r); });
  router.add("GET", "/workspaces/:id/model", AuthPolicy::workspace, [&app](const Request& r) { return getModel(app, r); });
  router.add("PUT", "/workspaces/:id/model", AuthPolicy::workspace, [&app](const Request& r) { return putModel(app, r); });
  for (const char* base : {"/settings/secrets", "/admin/secrets"}) {
    router.add("GET", base, AuthPolicy::admin, [&app](const Request&) { return listGlobal(app); });
    router.add("POST", base, AuthPolicy::admin, [&app](const Request& r) { return putGlobal(app, r); });
    router.add("DELETE", std::string(base) + "/:key", AuthPolicy::admin, [&app](const Request& r) { return removeGlobal(app, r); });
  }
  router.add("PUT", "/settings/secrets", AuthPolicy::admin, [&app](const Request& r) { return putGlobal(app, r); });
}

}  // namespace ws
