// Workspace tokens (runtime-spec 6.3 "Tokens") and the test-token helper for local setups.

#include <charconv>

#include "core/util.h"
#include "handlers/routes.h"

namespace ws {
namespace {

using nlohmann::json;

constexpr std::size_t kMaxLiveTokens = 50;

// A page of the live tokens, newest first: `limit` 1-200 (default 50), `offset` from 0; like
// the reference, a value out of range falls back to the default. `count` is the page's size.
Response list(Services& svc, const Request& req) {
  auto loaded = svc.workspaces.findLive(req.param("id"));
  if (!loaded) return Response::fromError(loaded.error());
  auto tokens = svc.store.liveTokens(loaded->id);
  if (!tokens) return Response::fromError(tokens.error());
  const auto number = [&req](const char* name, long fallback, long lo, long hi) {
    const auto raw = req.queryParam(name);
    long n = 0;
    if (!raw || std::from_chars(raw->data(), raw->data() + raw->size(), n).ec != std::errc() || n < lo || n > hi)
      return fallback;
    return n;
  };
  const auto limit = static_cast<std::size_t>(number("limit", 50, 1, 200));
  const auto offset = static_cast<std::size_t>(number("offset", 0, 0, 1L << 30));
  json out = json::array();
  for (auto t = tokens->rbegin() + static_cast<long>(std::min(offset, tokens->size()));
       t != tokens->rend() && out.size() < limit; ++t)
    out.push_back({{"id", t->id},
                   {"prefix", t->prefix},
                   {"created_at", t->created_at},
                   {"last_used_at", t->last_used_at ? json(*t->last_used_at) : json(nullptr)}});
  const auto count = out.size();
  return Response::json(200, {{"tokens", std::move(out)}, {"count", count}});
}

Response create(Services& svc, const Request& req) {
  auto loaded = svc.workspaces.findLive(req.param("id"));
  if (!loaded) return Response::fromError(loaded.error());
  const auto& id = loaded->id;
  auto tokens = svc.store.liveTokens(id);
  if (!tokens) return Response::fromError(tokens.error());
  if (tokens->size() >= kMaxLiveTokens)
    return Response::error(Errc::rate_limited, "this workspace already has " + std::to_string(kMaxLiveTokens) +
                                    " live tokens; revoke one first");
  auto token = svc.credentials.issueToken(id);
  if (!token) return Response::fromError(token.error());
  return Response::json(201, {{"auth_token", *token},
                              {"workspace_id", id},
                              {"message", "store this token now; it cannot be shown again"}});
}

Response revoke(Services& svc, const Request& req) {
  auto loaded = svc.workspaces.findLive(req.param("id"));
  if (!loaded) return Response::fromError(loaded.error());
  const auto& token_id = req.param("tokenId");
  if (!isUuid(token_id)) return Response::error(Errc::invalid_argument, "invalid token id");
  auto revoked = svc.store.revokeToken(loaded->id, token_id);
  if (!revoked) return Response::fromError(revoked.error());
  if (!*revoked) return Response::error(Errc::not_found, "token not found");
  svc.live.recheck(loaded->id);  // streams opened with that token end now
  return Response::json(200, {{"status", "revoked"}});
}

// Mints a token without the workspace's own credentials, for local development.
Response testToken(Services& svc, const Request& req) {
  auto loaded = svc.workspaces.findLive(req.param("id"));
  if (!loaded) return Response::fromError(loaded.error());
  auto token = svc.credentials.issueToken(loaded->id);
  if (!token) return Response::fromError(token.error());
  return Response::json(200, {{"auth_token", *token}, {"workspace_id", loaded->id}});
}

}  // namespace

void registerTokenRoutes(Router& router, Services& svc) {
  router.add("GET", "/workspaces/:id/tokens", AuthPolicy::workspace, [&svc](const Request& r) { return list(svc, r); });
  router.add("POST", "/workspaces/:id/tokens", AuthPolicy::workspace, [&svc](const Request& r) { return create(svc, r); });
  router.add("DELETE", "/workspaces/:id/tokens/:tokenId", AuthPolicy::workspace,
             [&svc](const Request& r) { return revoke(svc, r); });
  // Only in an explicit development mode (MOLECULE_ENV=development): elsewhere the route
  // does not exist.
  if (svc.config.devMode())
    router.add("GET", "/admin/workspaces/:id/test-token", AuthPolicy::admin,
               [&svc](const Request& r) { return testToken(svc, r); });
}

}  // namespace ws
