#pragma once
// Authentication (runtime-spec section 7): workspace tokens, the ADMIN_TOKEN, and the
// AdminAuth / WorkspaceAuth tiers with lazy bootstrap and development mode.

#include <string>

#include "../server/router.h"
#include "ws/config.h"
#include "ws/store.h"

namespace ws {

class Auth final : public Authenticator {
 public:
  Auth(Store& store, const ServerConfig& config) : store_(store), config_(config) {}

  std::optional<Response> check(AuthPolicy policy, const Request& req) override;

  /// AdminAuth: the bearer is the admin token.
  std::optional<Response> admin(const Request& req);
  /// WorkspaceAuth for `workspace_id`: the admin token or that workspace's token.
  std::optional<Response> workspace(const Request& req, const std::string& workspace_id);
  /// Handler-level gate: a token is required iff the workspace has a live token. The
  /// ADMIN_TOKEN also passes.
  std::optional<Response> tokenGate(const Request& req, const std::string& workspace_id);

  /// Mints a token for the workspace and returns the plaintext (shown once, never stored).
  Result<std::string> issueToken(const std::string& workspace_id);
  /// True when `token` is a live token of `workspace_id`.
  Result<bool> validToken(const std::string& token, const std::string& workspace_id);
  bool isAdminToken(const std::string& token) const;

 private:
  Result<std::optional<TokenRecord>> lookup(const std::string& token);

  Store& store_;
  const ServerConfig& config_;
};

}  // namespace ws
