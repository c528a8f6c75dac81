#include "handlers/auth_gate.h"

namespace ws {
namespace {

Response unavailable() {
  return Response::json(503, {{"error", "platform unavailable"}, {"code", "platform_unavailable"}});
}

}  // namespace

std::optional<Response> AuthGate::check(AuthPolicy policy, const Request& req) {
  switch (policy) {
    case AuthPolicy::open: return std::nullopt;
    case AuthPolicy::admin: return admin(req);
    case AuthPolicy::workspace: return workspace(req, req.param("id"));
    case AuthPolicy::canvas: return canvas(req);
  }
  return Response::error(Errc::internal, "unknown auth policy");
}

// Every request looks the org token up afresh: a revoked one is refused at once.
Result<bool> AuthGate::adminCredential(const std::string& token) {
  if (credentials_.isAdminToken(token)) return true;
  auto org = org_tokens_.validate(token);
  if (!org) return org.error();
  return org->has_value();
}

bool AuthGate::isAdmin(const Request& req) {
  auto ok = adminCredential(req.bearer());
  return ok && *ok;
}

// There is always an admin token (configured, or created at first start), and only admin
// credentials pass: no anonymous bootstrap window, and no workspace token is ever an admin.
std::optional<Response> AuthGate::admin(const Request& req) {
  const std::string token = req.bearer();
  if (token.empty()) return Response::error(Errc::unauthorized, "admin authorization required");
  auto ok = adminCredential(token);
  if (!ok) return unavailable();
  if (*ok) return std::nullopt;
  return Response::error(Errc::unauthorized, "invalid admin token");
}

std::optional<Response> AuthGate::workspace(const Request& req, const std::string& workspace_id) {
  const std::string token = req.bearer();
  if (token.empty()) return Response::error(Errc::unauthorized, "workspace authorization required");
  if (credentials_.isAdminToken(token)) return std::nullopt;
  auto ok = credentials_.validToken(token, workspace_id);
  if (!ok) return unavailable();
  if (*ok) return std::nullopt;
  auto org = org_tokens_.validate(token);
  if (!org) return unavailable();
  if (*org) return std::nullopt;
  return Response::error(Errc::unauthorized, "invalid token for this workspace");
}

std::optional<Response> AuthGate::canvas(const Request& req) {
  const std::string token = req.bearer();
  if (token.empty()) {
    if (browser_.trustsPage(req)) return std::nullopt;
    return Response::error(Errc::unauthorized, "a bearer token or the canvas's origin is required");
  }
  // A bearer is judged on its own: a bad one never falls back to the Origin.
  auto admin = adminCredential(token);
  if (!admin) return unavailable();
  if (*admin) return std::nullopt;
  auto any = credentials_.validAnyToken(token);
  if (!any) return unavailable();
  if (*any) return std::nullopt;
  return Response::error(Errc::unauthorized, "invalid token");
}

std::optional<Response> AuthGate::tokenGate(const Request& req, const std::string& workspace_id) {
  const std::string token = req.bearer();
  if (credentials_.isAdminToken(token)) return std::nullopt;
  auto has = credentials_.hasLiveToken(workspace_id);
  if (!has) return unavailable();
  if (!*has) return std::nullopt;  // grandfathered: the workspace has no token yet
  auto ok = credentials_.validToken(token, workspace_id);
  if (!ok) return unavailable();
  if (*ok) return std::nullopt;
  auto org = org_tokens_.validate(token);
  if (!org) return unavailable();
  if (*org) return std::nullopt;
  return Response::error(Errc::unauthorized, token.empty() ? "workspace token required" : "invalid token for this workspace");
}

}  // namespace ws
