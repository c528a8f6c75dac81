// Organization API tokens (runtime-spec 7.3): named, revocable admin credentials. Minting is
// limited to 10 an hour per client address, so a leaked credential cannot mint thousands.

#include <memory>

#include "core/json_input.h"
#include "core/rate_limit.h"
#include "core/util.h"
#include "handlers/routes.h"

namespace ws {
namespace {

using nlohmann::json;

constexpr int kMintsPerHour = 10;

json tokenJson(const OrgTokenRecord& t) {
  json j{{"id", t.id}, {"prefix", t.prefix}, {"created_at", t.created_at}};
  if (t.name) j["name"] = *t.name;
  if (t.org_id) j["org_id"] = *t.org_id;
  if (t.created_by) j["created_by"] = *t.created_by;
  if (t.last_used_at) j["last_used_at"] = *t.last_used_at;
  return j;
}

Response list(Services& svc) {
  auto tokens = svc.org_tokens.list();
  if (!tokens) return Response::fromError(tokens.error());
  json out = json::array();
  for (const auto& t : *tokens) out.push_back(tokenJson(t));
  const auto count = out.size();
  return Response::json(200, {{"tokens", std::move(out)}, {"count", count}});
}

void addLimitHeaders(Response& r, const RateLimit::Decision& d) {
  r.headers.emplace_back("X-RateLimit-Limit", std::to_string(d.limit));
  r.headers.emplace_back("X-RateLimit-Remaining", std::to_string(d.remaining));
  r.headers.emplace_back("X-RateLimit-Reset", std::to_string(d.reset_seconds));
}

// Who minted it, for the audit trail: another org token (by the prefix its owner sees) or the
// admin token.
std::string actor(Services& svc, const Request& req) {
  if (svc.credentials.isAdminToken(req.bearer())) return "admin-token";
  auto org = svc.org_tokens.validate(req.bearer());
  return org && *org ? "org-token:" + (*org)->prefix : "admin-token";
}

Response create(Services& svc, RateLimit& limit, const Request& req) {
  const auto decision = limit.take(req.remote_address);
  if (!decision.allowed) {
    auto r = Response::json(429, {{"error", "rate limit exceeded"}, {"retry_after", decision.reset_seconds}});
    addLimitHeaders(r, decision);
    r.headers.emplace_back("Retry-After", std::to_string(decision.reset_seconds));
    return r;
  }
  JsonInput in(req.body);
  const auto name = in.string("name");
  const auto org_id = in.string("org_id");
  if (in.error()) return Response::error(Errc::invalid_argument, *in.error());
  auto issued = svc.org_tokens.issue(name, org_id, actor(svc, req));
  if (!issued) return Response::fromError(issued.error());
  json body{{"id", issued->record.id},
            {"prefix", issued->record.prefix},
            {"auth_token", issued->plaintext},
            {"warning", "copy this token now; it will not be shown again"}};
  if (issued->record.name) body["name"] = *issued->record.name;
  auto r = Response::json(200, body);
  addLimitHeaders(r, decision);
  return r;
}

Response revoke(Services& svc, const Request& req) {
  const auto& id = req.param("id");
  if (!isUuid(id)) return Response::error(Errc::invalid_argument, "invalid token id");
  auto revoked = svc.org_tokens.revoke(id);
  if (!revoked) return Response::fromError(revoked.error());
  if (!*revoked) return Response::error(Errc::not_found, "token not found or already revoked");
  svc.live.recheckAll();  // streams opened with that token end now
  return Response::json(200, {{"revoked", id}});
}

}  // namespace

void registerOrgTokenRoutes(Router& router, Services& svc) {
  auto mints = std::make_shared<RateLimit>(kMintsPerHour, std::chrono::hours(1));
  router.add("GET", "/org/tokens", AuthPolicy::admin, [&svc](const Request&) { return list(svc); });
  router.add("POST", "/org/tokens", AuthPolicy::admin, [&svc, mints](const Request& r) { return create(svc, *mints, r); });
  router.add("DELETE", "/org/tokens/:id", AuthPolicy::admin, [&svc](const Request& r) { return revoke(svc, r); });
}

}  // namespace ws
