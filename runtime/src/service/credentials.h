#pragma once
// Who a bearer token is (runtime-spec section 7): the admin token, or a live token of one
// workspace. Tokens are minted here and stored only as hashes. The HTTP tiers built on this
// (AdminAuth, WorkspaceAuth) are handlers/auth_gate.h.

#include <mutex>
#include <optional>
#include <string>

#include "core/util.h"
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
  /// The admin token's digest, worked out again only when the configured token changes.
  Sha256 adminDigest() const;
  Result<std::optional<TokenRecord>> lookup(const std::string& token);

  CredentialStore& store_;
  const ServerConfig& config_;
  mutable std::mutex admin_mutex_;
  mutable std::string admin_hashed_;
  mutable Sha256 admin_digest_{};
};

}  // namespace ws
