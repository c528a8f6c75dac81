#pragma once
// Who a bearer token is (runtime-spec section 7): the admin token, or a live token of one
// workspace. Tokens are minted here and stored only as hashes. The HTTP tiers built on this
// (AdminAuth, WorkspaceAuth) are handlers/auth_gate.h.

#include <optional>
#include <string>

#include "ws/config.h"
#include "ws/credential_store.h"

namespace ws {

class Credentials {
 public:
  Credentials(CredentialStore& store, const ServerConfig& config) : store_(store), config_(config) {}

  /// Mints a token for the workspace and returns the plaintext (shown once, never stored).
  Result<std::string> issueToken(const std::string& workspace_id);
  /// True when `token` is a live token of `workspace_id`.
  Result<bool> validToken(const std::string& token, const std::string& workspace_id);
  /// True when `token` is a live token of any workspace.
  Result<bool> validAnyToken(const std::string& token);
  /// Whether the workspace has any live token (the token gate is open until it does).
  Result<bool> hasLiveToken(const std::string& workspace_id) { return store_.hasLiveToken(workspace_id); }
  bool isAdminToken(const std::string& token) const;

 private:
  Result<std::optional<TokenRecord>> lookup(const std::string& token);

  CredentialStore& store_;
  const ServerConfig& config_;
};

}  // namespace ws
