#include "service/credentials.h"

#include <chrono>

#include "core/util.h"

namespace ws {
namespace {

// last_used_at is refreshed at most this often, so hot paths such as heartbeats stay read-only.
constexpr auto kTouchInterval = std::chrono::seconds(60);

}  // namespace

Sha256 Credentials::adminDigest() const {
  std::lock_guard lock(admin_mutex_);
  if (admin_hashed_ != config_.admin_token) {
    admin_digest_ = sha256(config_.admin_token);
    admin_hashed_ = config_.admin_token;
  }
  return admin_digest_;
}

bool Credentials::isAdminToken(const std::string& token) const {
  // Digests compared, so neither where the token differs nor its length shows in the time.
  return !config_.admin_token.empty() && !token.empty() && digestsEqual(sha256(token), adminDigest());
}

Result<std::optional<TokenRecord>> Credentials::lookup(const std::string& token) {
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

Result<bool> Credentials::validToken(const std::string& token, const std::string& workspace_id) {
  auto rec = lookup(token);
  if (!rec) return rec.error();
  return *rec && (*rec)->workspace_id == workspace_id;
}

Result<bool> Credentials::validAnyToken(const std::string& token) {
  auto rec = lookup(token);
  if (!rec) return rec.error();
  return rec->has_value();
}

Result<std::string> Credentials::issueToken(const std::string& workspace_id) {
  std::string plain = randomToken(32);
  auto inserted = store_.insertToken(
      TokenRecord{newUuid(), workspace_id, sha256Hex(plain), plain.substr(0, 8), nowTime(), std::nullopt});
  if (!inserted) return inserted.error();
  return plain;
}

}  // namespace ws
