#include "service/org_tokens.h"

#include <chrono>

#include "core/util.h"

namespace ws {
namespace {

// As for workspace tokens: refreshing last_used_at at most this often keeps hot paths read-only.
constexpr auto kTouchInterval = std::chrono::seconds(60);
constexpr std::size_t kMaxOrgIdBytes = 256;

bool hasControl(const std::string& s) {
  for (unsigned char c : s)
    if (c < 0x20 || c == 0x7f) return true;
  return false;
}

/// Empty reads as absent, like the reference's nullable columns.
std::optional<std::string> label(const std::optional<std::string>& v) {
  return v && !v->empty() ? v : std::nullopt;
}

}  // namespace

Result<IssuedOrgToken> OrgTokens::issue(const std::optional<std::string>& name, const std::optional<std::string>& org_id,
                                        const std::string& created_by) {
  if (name && name->size() > kMaxNameBytes) return makeError(Errc::invalid_argument, "name too long (max 100 chars)");
  if (org_id && org_id->size() > kMaxOrgIdBytes) return makeError(Errc::invalid_argument, "org_id too long");
  if ((name && hasControl(*name)) || (org_id && hasControl(*org_id)))
    return makeError(Errc::invalid_argument, "name and org_id must not contain control characters");
  std::string plain = randomToken(32);
  OrgTokenRecord rec{newUuid(), sha256Hex(plain), plain.substr(0, 8), label(name), label(org_id),
                     created_by, nowTime(), std::nullopt};
  if (auto ok = store_.insertOrgToken(rec); !ok) return ok.error();
  return IssuedOrgToken{std::move(rec), std::move(plain)};
}

Result<std::optional<OrgTokenRecord>> OrgTokens::validate(const std::string& token) {
  if (token.empty()) return std::optional<OrgTokenRecord>();
  auto found = store_.findLiveOrgToken(sha256Hex(token));
  if (!found) return found.error();
  if (*found) {
    auto& rec = **found;
    if (!rec.last_used_at || *rec.last_used_at < formatTime(Clock::now() - kTouchInterval)) {
      const auto now = nowTime();
      if (store_.touchOrgToken(rec.id)) rec.last_used_at = now;  // best effort
    }
  }
  return found;
}

}  // namespace ws
