#pragma once
// The HTTP face of the credentials (runtime-spec section 7): the AdminAuth, WorkspaceAuth and
// CanvasOrBearer tiers the router applies per route, and the handler-level token gate. An
// organization API token is an admin credential: it passes wherever the admin token does.

#include <optional>
#include <string>

#include "server/browser_policy.h"
#include "server/router.h"
#include "service/credentials.h"
#include "service/org_tokens.h"
#include "ws/config.h"

namespace ws {

class AuthGate final : public Authenticator {
 public:
  AuthGate(Credentials& credentials, OrgTokens& org_tokens, const ServerConfig& config)
      : credentials_(credentials), org_tokens_(org_tokens), browser_(config) {}

  std::optional<Response> check(AuthPolicy policy, const Request& req) override;

  /// AdminAuth: the bearer is the admin token or a live org token.
  std::optional<Response> admin(const Request& req);
  /// WorkspaceAuth for `workspace_id`: an admin credential or that workspace's token.
  std::optional<Response> workspace(const Request& req, const std::string& workspace_id);
  /// CanvasOrBearer, for cosmetic routes only: a bearer must be an admin credential or any live
  /// workspace token; without one, a page this server trusts (its own origin, or one listed in
  /// CORS_ORIGINS) passes. An Origin can be forged outside a browser, hence "cosmetic only".
  std::optional<Response> canvas(const Request& req);
  /// Handler-level gate: a token is required iff the workspace has a live token. An admin
  /// credential also passes.
  std::optional<Response> tokenGate(const Request& req, const std::string& workspace_id);
  /// Whether the request carries an admin credential (false when the store cannot say).
  bool isAdmin(const Request& req);

 private:
  /// True for the admin token or a live org token; an error when the store cannot say.
  Result<bool> adminCredential(const std::string& token);

  Credentials& credentials_;
  OrgTokens& org_tokens_;
  BrowserPolicy browser_;
};

}  // namespace ws
