#pragma once
// Storage of what grants access: workspace tokens (hashes only) and sealed secrets.

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "ws/errors.h"

namespace ws {

struct TokenRecord {
  std::string id;
  std::string workspace_id;
  std::string hash_hex;  ///< SHA-256 of the plaintext; the plaintext is never stored.
  std::string prefix;    ///< First 8 characters of the plaintext, for display.
  std::string created_at;
  std::optional<std::string> last_used_at;
};

/// An organization API token (runtime-spec 7.3): an admin credential that can be named, listed
/// and revoked. Like a workspace token, only its hash is stored.
struct OrgTokenRecord {
  std::string id;
  std::string hash_hex;
  std::string prefix;
  std::optional<std::string> name;
  std::optional<std::string> org_id;
  std::optional<std::string> created_by;  ///< "admin-token" or "org-token:<prefix>".
  std::string created_at;
  std::optional<std::string> last_used_at;
};

/// A stored secret. The value is sealed (runtime/src/service/secret_box.h): ciphertext when
/// encryption_version is 1, plain bytes when 0. An empty workspace_id means a global secret.
struct SecretRecord {
  std::string workspace_id;
  std::string key;
  std::string value;
  int encryption_version = 0;
  std::string created_at;
  std::string updated_at;
};

class CredentialStore {
 public:
  virtual ~CredentialStore() = default;

  // Tokens.
  virtual Result<> insertToken(const TokenRecord& t) = 0;
  /// In the order they were issued.
  virtual Result<std::vector<TokenRecord>> liveTokens(const std::string& workspace_id) = 0;
  virtual Result<bool> hasLiveToken(const std::string& workspace_id) = 0;
  virtual Result<bool> anyLiveToken() = 0;
  /// The live token with this hash whose workspace is not removed.
  virtual Result<std::optional<TokenRecord>> findLiveToken(const std::string& hash_hex) = 0;
  virtual Result<bool> revokeToken(const std::string& workspace_id, const std::string& token_id) = 0;
  virtual Result<> revokeAllTokens(const std::string& workspace_id) = 0;
  virtual Result<> touchToken(const std::string& token_id) = 0;

  // Organization tokens.
  virtual Result<> insertOrgToken(const OrgTokenRecord& t) = 0;
  /// The live ones, newest first, at most `limit`.
  virtual Result<std::vector<OrgTokenRecord>> liveOrgTokens(int limit) = 0;
  virtual Result<std::optional<OrgTokenRecord>> findLiveOrgToken(const std::string& hash_hex) = 0;
  /// False when no live token has this id.
  virtual Result<bool> revokeOrgToken(const std::string& id) = 0;
  virtual Result<> touchOrgToken(const std::string& id) = 0;

  // Secrets. An empty workspace_id addresses the global secrets.
  /// Names of the global secrets (values are never read here).
  virtual Result<std::set<std::string>> globalSecretKeys() = 0;
  /// Inserts or replaces the value (created_at of an existing key is kept).
  virtual Result<> putSecret(const SecretRecord& s) = 0;
  virtual Result<bool> deleteSecret(const std::string& workspace_id, const std::string& key) = 0;
  /// Ordered by key.
  virtual Result<std::vector<SecretRecord>> listSecrets(const std::string& workspace_id) = 0;
};

}  // namespace ws
