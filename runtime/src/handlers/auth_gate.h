#pragma once
// The HTTP face of the credentials (runtime-spec section 7): the AdminAuth and WorkspaceAuth
// tiers the router applies per route, and the handler-level token gate.

#include <optional>
#include <string>

#include "server/router.h"
#include "service/credentials.h"

namespace ws {

class AuthGate final : public Authenticator {
 public:
  explicit AuthGate(Credentials& credentials) : credentials_(credentials) {}

  std::optional<Response> check(AuthPolicy policy, const Request& req) override;

  /// AdminAuth: the bearer is the admin token.
  std::optional<Response> admin(const Request& req);
  /// WorkspaceAuth for `workspace_id`: the admin token or that workspace's token.
  std::optional<Response> workspace(const Request& req, const std::string& workspace_id);
  /// Handler-level gate: a token is required iff the workspace has a live token. The
  /// admin token also passes.
  std::optional<Response> tokenGate(const Request& req, const std::string& workspace_id);
  /// Whether the request carries the admin token.
  bool isAdmin(const Request& req) const { return credentials_.isAdminToken(req.bearer()); }

 private:
  Credentials& credentials_;
};

}  // namespace ws
