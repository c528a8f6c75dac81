// Secrets (runtime-spec 6.3 "Secrets"): per workspace and global, sealed at rest, opened into
// the start environment of every workspace on every backend. Values are never listed or
// logged; a change restarts the workspaces it affects so that they see it.

#include "core/json_input.h"
#include "handlers/routes.h"
#include "service/validation.h"

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
  if (in.error()) return Response::error(Errc::invalid_argument, *in.error());
  if (!key || !value) return Response::error(Errc::invalid_argument, "key and value are required");
  if (auto ok = validateSecret(*key, *value); !ok) return Response::fromError(ok.error());
  return std::pair{*key, *value};
}

Response listWorkspace(Services& svc, const Request& req) {
  auto loaded = svc.workspaces.findLive(req.param("id"));
  if (!loaded) return Response::fromError(loaded.error());
  auto own = svc.workspaces.secrets().list(loaded->id);
  auto global = svc.workspaces.secrets().list("");
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

Response values(Services& svc, const Request& req) {
  auto loaded = svc.workspaces.findLive(req.param("id"));
  if (!loaded) return Response::fromError(loaded.error());
  auto opened = svc.workspaces.secrets().environment(loaded->id);
  if (!opened) return Response::fromError(opened.error());
  if (!opened->failed.empty())
    return Response::json(500, {{"error", "cannot decrypt secrets"}, {"failed_keys", opened->failed}});
  return Response::json(200, opened->values);
}

Response putWorkspace(Services& svc, const Request& req) {
  auto loaded = svc.workspaces.findLive(req.param("id"));
  if (!loaded) return Response::fromError(loaded.error());
  auto input = keyAndValue(req);
  if (auto* r = std::get_if<Response>(&input)) return *r;
  const auto& [key, value] = std::get<0>(input);
  if (auto r = svc.workspaces.secrets().put(loaded->id, key, value); !r) return Response::fromError(r.error());
  svc.workspaces.restartInBackground(loaded->id);
  return Response::json(200, {{"status", "saved"}, {"key", key}});
}

Response removeWorkspace(Services& svc, const Request& req) {
  auto loaded = svc.workspaces.findLive(req.param("id"));
  if (!loaded) return Response::fromError(loaded.error());
  const std::string key = req.param("key");
  auto removed = svc.workspaces.secrets().remove(loaded->id, key);
  if (!removed) return Response::fromError(removed.error());
  if (!*removed) return Response::error(Errc::not_found, "no secret " + key);
  svc.workspaces.restartInBackground(loaded->id);
  return Response::json(200, {{"status", "deleted"}, {"key", key}});
}

Response listGlobal(Services& svc) {
  auto global = svc.workspaces.secrets().list("");
  if (!global) return Response::fromError(global.error());
  json out = json::array();
  for (const auto& r : *global) out.push_back(describe(r, "global"));
  return Response::json(200, out);
}

/// Restarts every running workspace that sees the global `key` (it does not override it).
void restartSeeing(Services& svc, const std::string& key) {
  auto all = svc.store.listWorkspaces();
  if (!all) return;
  for (const auto& w : *all) {
    if (w.external || w.status == Status::removed || w.status == Status::paused) continue;
    auto own = svc.workspaces.secrets().list(w.id);
    if (own && std::none_of(own->begin(), own->end(), [&](const SecretRecord& r) { return r.key == key; }))
      svc.workspaces.restartInBackground(w.id);
  }
}

Response putGlobal(Services& svc, const Request& req) {
  auto input = keyAndValue(req);
  if (auto* r = std::get_if<Response>(&input)) return *r;
  const auto& [key, value] = std::get<0>(input);
  if (auto r = svc.workspaces.secrets().put("", key, value); !r) return Response::fromError(r.error());
  restartSeeing(svc, key);
  return Response::json(200, {{"status", "saved"}, {"key", key}, {"scope", "global"}});
}

Response removeGlobal(Services& svc, const Request& req) {
  const std::string key = req.param("key");
  auto removed = svc.workspaces.secrets().remove("", key);
  if (!removed) return Response::fromError(removed.error());
  if (!*removed) return Response::error(Errc::not_found, "no global secret " + key);
  restartSeeing(svc, key);
  return Response::json(200, {{"status", "deleted"}, {"key", key}, {"scope", "global"}});
}

Response getModel(Services& svc, const Request& req) {
  auto loaded = svc.workspaces.findLive(req.param("id"));
  if (!loaded) return Response::fromError(loaded.error());
  auto model = svc.workspaces.secrets().get(loaded->id, kModelKey);
  if (!model) return Response::fromError(model.error());
  if (!*model) return Response::json(200, {{"model", loaded->model}, {"source", "default"}});
  return Response::json(200, {{"model", **model}, {"source", "workspace_secrets"}});
}

Response putModel(Services& svc, const Request& req) {
  auto loaded = svc.workspaces.findLive(req.param("id"));
  if (!loaded) return Response::fromError(loaded.error());
  JsonInput in(req.body);
  auto model = in.string("model");
  if (in.error()) return Response::error(Errc::invalid_argument, *in.error());
  if (!model) return Response::error(Errc::invalid_argument, "model is required");
  const std::string& id = loaded->id;
  json reply;
  if (model->empty()) {
    auto removed = svc.workspaces.secrets().remove(id, kModelKey);
    if (!removed) return Response::fromError(removed.error());
    reply = {{"status", "cleared"}};
  } else {
    if (model->size() > 256) return Response::error(Errc::invalid_argument, "model is at most 256 characters");
    if (auto r = svc.workspaces.secrets().put(id, kModelKey, *model); !r) return Response::fromError(r.error());
    reply = {{"status", "saved"}, {"model", *model}};
  }
  svc.workspaces.restartInBackground(id);
  return Response::json(200, reply);
}

}  // namespace

void registerSecretRoutes(Router& router, Services& svc) {
  router.add("GET", "/workspaces/:id/secrets", AuthPolicy::workspace, [&svc](const Request& r) { return listWorkspace(svc, r); });
  router.add("GET", "/workspaces/:id/secrets/values", AuthPolicy::workspace, [&svc](const Request& r) { return values(svc, r); });
  for (const char* method : {"POST", "PUT"})
    router.add(method, "/workspaces/:id/secrets", AuthPolicy::workspace, [&svc](const Request& r) { return putWorkspace(svc, r); });
  router.add("DELETE", "/workspaces/:id/secrets/:key", AuthPolicy::workspace,
             [&svc](const Request& r) { return removeWorkspace(svc, r); });
  router.add("GET", "/workspaces/:id/model", AuthPolicy::workspace, [&svc](const Request& r) { return getModel(svc, r); });
  router.add("PUT", "/workspaces/:id/model", AuthPolicy::workspace, [&svc](const Request& r) { return putModel(svc, r); });
  for (const char* base : {"/settings/secrets", "/admin/secrets"}) {
    router.add("GET", base, AuthPolicy::admin, [&svc](const Request&) { return listGlobal(svc); });
    router.add("POST", base, AuthPolicy::admin, [&svc](const Request& r) { return putGlobal(svc, r); });
    router.add("DELETE", std::string(base) + "/:key", AuthPolicy::admin, [&svc](const Request& r) { return removeGlobal(svc, r); });
  }
  router.add("PUT", "/settings/secrets", AuthPolicy::admin, [&svc](const Request& r) { return putGlobal(svc, r); });
}

}  // namespace ws
