#include "auth.h"

#include <chrono>

#include "../core/util.h"

namespace ws {
namespace {

Response unavailable() {
  return Response::json(503, {{"error", "platform unavailable"}, {"code", "platform_unavailable"}});
}

// last_used_at is refreshed at most this often, so hot paths such as heartbeats stay read-only.
constexpr auto kTouchInterval = std::chrono::seconds(60);

}  // namespace

std::optional<Response> Auth::check(AuthPolicy policy, const Request& req) {
  switch (policy) {
    case AuthPolicy::open: return std::nullopt;
    case AuthPolicy::admin: return admin(req);
    case AuthPolicy::workspace: return workspace(req, req.param("id"));
  }
  return Response::error(500, "unknown auth policy");
}

bool Auth::isAdminToken(const std::string& token) const {
  return !config_.admin_token.empty() && !token.empty() &&
         constantTimeEquals(token, config_.admin_token);
}

Result<std::optional<TokenRecord>> Auth::lookup(const std::string& token) {
  if (token.empty()) return std::optional<TokenRecord>();
  auto found = store_.findLiveToken(sha256Hex(token));
  if (!found) return found.error();
  if (*found) {
    const auto& rec = **found;
    if (!rec.last_used_at || *rec.last_used_at < formatTime(Clock::now() - kTouchInterval))
      (void)store_.touchToken(rec.id);  // best effort
  }
  return found;
}

Result<bool> Auth::validToken(const std::string& token, const std::string& workspace_id) {
  auto rec = lookup(token);
  if (!rec) return rec.error();
  return *rec && (*rec)->workspace_id == workspace_id;
}

// There is always an admin token (configured, or created at first start), and only it passes:
// no anonymous bootstrap window, and no workspace token is ever an admin.
std::optional<Response> Auth::admin(const Request& req) {
  const std::string token = req.bearer();
  if (token.empty()) return Response::error(401, "admin authorization required");
  if (isAdminToken(token)) return std::nullopt;
  return Response::error(401, "invalid admin token");
}

std::optional<Response> Auth::workspace(const Request& req, const std::string& workspace_id) {
  const std::string token = req.bearer();
  if (token.empty()) return Response::error(401, "workspace authorization required");
  if (isAdminToken(token)) return std::nullopt;
  auto ok = validToken(token, workspace_id);
  if (!ok) return unavailable();
  if (*ok) return std::nullopt;
  return Response::error(401, "invalid token for this workspace");
}

std::optional<Response> Auth::tokenGate(const Request& req, const std::string& workspace_id) {
  const std::string token = req.bearer();
  if (isAdminToken(token)) return std::nullopt;
  auto has = store_.hasLiveToken(workspace_id);
  if (!has) return unavailable();
  if (!*has) return std::nullopt;  // grandfathered: the workspace has no token yet
  auto ok = validToken(token, workspace_id);
  if (!ok) return unavailable();
  if (*ok) return std::nullopt;
  return Response::error(401, token.empty() ? "workspace token required" : "invalid token for this workspace");
}

Result<std::string> Auth::issueToken(const std::string& workspace_id) {
  std::string plain = randomToken(32);
  auto inserted = store_.insertToken(
      TokenRecord{newUuid(), workspace_id, sha256Hex(plain), plain.substr(0, 8), nowTime(), std::nullopt});
  if (!inserted) return inserted.error();
  return plain;
}

}  // namespace ws
