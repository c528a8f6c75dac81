#pragma once
// Organization API tokens (runtime-spec 7.3): admin credentials an operator can mint, name,
// list and revoke, so that scripts and the canvas need not share ADMIN_TOKEN. Each grants
// what the admin token grants. Stored as hashes; the plaintext is shown once, at minting.

#include <optional>
#include <string>
#include <vector>

#include "ws/credential_store.h"

namespace ws {

struct IssuedOrgToken {
  OrgTokenRecord record;
  std::string plaintext;
};

class OrgTokens {
 public:
  /// List responses stop here: more live tokens than this is a runaway script, not a UI.
  static constexpr int kListLimit = 500;
  static constexpr std::size_t kMaxNameBytes = 100;

  explicit OrgTokens(CredentialStore& store) : store_(store) {}

  /// Mints a token. `name` and `org_id` are optional labels (invalid_argument when too long or
  /// with control characters); `created_by` records who minted it.
  Result<IssuedOrgToken> issue(const std::optional<std::string>& name, const std::optional<std::string>& org_id,
                               const std::string& created_by);
  /// The live tokens, newest first.
  Result<std::vector<OrgTokenRecord>> list() { return store_.liveOrgTokens(kListLimit); }
  /// False when no live token has this id. A revoked token is refused from the next request on.
  Result<bool> revoke(const std::string& id) { return store_.revokeOrgToken(id); }
  /// The live token `token` is, if any; notes its use (last_used_at, at most once a minute).
  Result<std::optional<OrgTokenRecord>> validate(const std::string& token);

 private:
  CredentialStore& store_;
};

}  // namespace ws
