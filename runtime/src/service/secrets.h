#pragma once
// Workspace and global secrets: sealed at rest by a SecretBox, opened only to build a
// workspace's start environment or for GET /secrets/values. Values never reach logs or lists.

#include <map>
#include <string>
#include <vector>

#include "service/secret_box.h"
#include "ws/credential_store.h"

namespace ws {

class Secrets {
 public:
  Secrets(CredentialStore& store, std::string_view encryption_key) : store_(store), box_(encryption_key) {}

  bool encrypts() const { return box_.encrypts(); }
  /// Seals and stores `value` under `key`; an empty workspace_id means global.
  Result<> put(const std::string& workspace_id, const std::string& key, std::string_view value);
  Result<bool> remove(const std::string& workspace_id, const std::string& key) { return store_.deleteSecret(workspace_id, key); }
  /// The records (sealed values) of one scope, by key.
  Result<std::vector<SecretRecord>> list(const std::string& workspace_id) { return store_.listSecrets(workspace_id); }

  /// The opened value of one key of one scope, nullopt when there is no such key.
  Result<std::optional<std::string>> get(const std::string& workspace_id, const std::string& key);

  struct Opened {
    std::map<std::string, std::string> values;  ///< Globals, overridden by the workspace's own.
    std::vector<std::string> failed;             ///< "global:KEY" / "workspace:KEY" that did not open.
  };
  /// Everything a workspace sees.
  Result<Opened> environment(const std::string& workspace_id);

 private:
  CredentialStore& store_;
  SecretBox box_;
};

}  // namespace ws
