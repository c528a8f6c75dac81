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
  }
  return Response::error(Errc::internal, "unknown auth policy");
}

// There is always an admin token (configured, or created at first start), and only it passes:
// no anonymous bootstrap window, and no workspace token is ever an admin.
std::optional<Response> AuthGate::admin(const Request& req) {
  const std::string token = req.bearer();
  if (token.empty()) return Response::error(Errc::unauthorized, "admin authorization required");
  if (credentials_.isAdminToken(token)) return std::nullopt;
  return Response::error(Errc::unauthorized, "invalid admin token");
}

std::optional<Response> AuthGate::workspace(const Request& req, const std::string& workspace_id) {
  const std::string token = req.bearer();
  if (token.empty()) return Response::error(Errc::unauthorized, "workspace authorization required");
  if (credentials_.isAdminToken(token)) return std::nullopt;
  auto ok = credentials_.validToken(token, workspace_id);
  if (!ok) return unavailable();
  if (*ok) return std::nullopt;
  return Response::error(Errc::unauthorized, "invalid token for this workspace");
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
  return Response::error(Errc::unauthorized, token.empty() ? "workspace token required" : "invalid token for this workspace");
}

}  // namespace ws
