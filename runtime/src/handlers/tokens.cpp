// Workspace tokens (runtime-spec 6.3 "Tokens") and the test-token helper for local setups.

#include "../core/util.h"
#include "app.h"

namespace ws {
namespace {

using nlohmann::json;

constexpr std::size_t kMaxLiveTokens = 50;

Response list(App& app, const Request& req) {
  auto loaded = loadLiveWorkspace(app.store, req.param("id"));
  if (loaded.error) return *loaded.error;
  auto tokens = app.store.liveTokens(loaded.workspace->id);
  if (!tokens) return Response::fromError(tokens.error());
  json out = json::array();
  for (const auto& t : *tokens)
    out.push_back({{"id", t.id},
                   {"prefix", t.prefix},
                   {"created_at", t.created_at},
                   {"last_used_at", t.last_used_at ? json(*t.last_used_at) : json(nullptr)}});
  return Response::json(200, {{"tokens", out}, {"count", tokens->size()}});
}

Response create(App& app, const Request& req) {
  auto loaded = loadLiveWorkspace(app.store, req.param("id"));
  if (loaded.error) return *loaded.error;
  const auto& id = loaded.workspace->id;
  auto tokens = app.store.liveTokens(id);
  if (!tokens) return Response::fromError(tokens.error());
  if (tokens->size() >= kMaxLiveTokens)
    return Response::error(429, "this workspace already has " + std::to_string(kMaxLiveTokens) +
                                    " live tokens; revoke one first");
  auto token = app.auth.issueToken(id);
  if (!token) return Response::fromError(token.error());
  return Response::json(201, {{"auth_token", *token},
                              {"workspace_id", id},
                              {"message", "store this token now; it cannot be shown again"}});
}

Response revoke(App& app, const Request& req) {
  auto loaded = loadLiveWorkspace(app.store, req.param("id"));
  if (loaded.error) return *loaded.error;
  const auto& token_id = req.param("tokenId");
  if (!isUuid(token_id)) return Response::error(400, "invalid token id");
  auto revoked = app.store.revokeToken(loaded.workspace->id, token_id);
  if (!revoked) return Response::fromError(revoked.error());
  if (!*revoked) return Response::error(404, "token not found");
  return Response::json(200, {{"status", "revoked"}});
}

// Mints a token without the workspace's own credentials, for local development.
Response testToken(App& app, const Request& req) {
  auto loaded = loadLiveWorkspace(app.store, req.param("id"));
  if (loaded.error) return *loaded.error;
  auto token = app.auth.issueToken(loaded.workspace->id);
  if (!token) return Response::fromError(token.error());
  return Response::json(200, {{"auth_token", *token}, {"workspace_id", loaded.workspace->id}});
}

}  // namespace

void registerTokenRoutes(Router& router, App& app) {
  router.add("GET", "/workspaces/:id/tokens", AuthPolicy::workspace, [&app](const Request& r) { return list(app, r); });
  router.add("POST", "/workspaces/:id/tokens", AuthPolicy::workspace, [&app](const Request& r) { return create(app, r); });
  router.add("DELETE", "/workspaces/:id/tokens/:tokenId", AuthPolicy::workspace,
             [&app](const Request& r) { return revoke(app, r); });
  // Only in an explicit development mode (MOLECULE_ENV=development): elsewhere the route
  // does not exist.
  if (app.config.devMode())
    router.add("GET", "/admin/workspaces/:id/test-token", AuthPolicy::admin,
               [&app](const Request& r) { return testToken(app, r); });
}

}  // namespace ws
