#include "service/kv_memory.h"

#include <chrono>

#include "core/util.h"

namespace ws {

std::optional<std::string> KeyValueMemory::keyProblem(const std::string& key) {
  if (key.empty()) return "key is required";
  if (key.size() > kMaxKeyBytes) return "key is at most " + std::to_string(kMaxKeyBytes) + " bytes";
  if (!isValidUtf8(key)) return "key must be UTF-8 text";
  for (unsigned char c : key)
    if (c < 0x20 || c == 0x7f) return "key must not contain control characters";
  return std::nullopt;
}

Result<std::vector<KvEntry>> KeyValueMemory::list(const std::string& workspace_id) {
  return store_.listKv(workspace_id, nowTime());
}

Result<KvEntry> KeyValueMemory::get(const std::string& workspace_id, const std::string& key) {
  auto found = store_.getKv(workspace_id, key, nowTime());
  if (!found) return found.error();
  if (!*found) return makeError(Errc::not_found, "key not found");
  return std::move(**found);
}

Result<KvOutcome> KeyValueMemory::set(const std::string& workspace_id, const Write& w) {
  if (auto problem = keyProblem(w.key)) return makeError(Errc::invalid_argument, *problem);
  if (w.value.size() > kMaxValueBytes)
    return makeError(Errc::too_large, "value is at most " + std::to_string(kMaxValueBytes / 1024) + " KiB");
  if (w.ttl_seconds && (*w.ttl_seconds < 1 || *w.ttl_seconds > kMaxTtlSeconds))
    return makeError(Errc::invalid_argument, "ttl_seconds must be between 1 and " + std::to_string(kMaxTtlSeconds));
  if (w.if_match_version && *w.if_match_version < 0)
    return makeError(Errc::invalid_argument, "if_match_version must be >= 0");
  const auto now = Clock::now();
  KvWrite write{workspace_id, w.key, w.value, std::nullopt, w.if_match_version, formatTime(now), kMaxKeys};
  if (w.ttl_seconds) write.expires_at = formatTime(now + std::chrono::seconds(*w.ttl_seconds));
  auto outcome = store_.putKv(write);
  if (!outcome) return outcome.error();
  if (outcome->kind == KvOutcome::too_many_keys)
    return makeError(Errc::too_large, "a workspace keeps at most " + std::to_string(kMaxKeys) + " keys");
  return *outcome;
}

Result<> KeyValueMemory::remove(const std::string& workspace_id, const std::string& key) {
  auto removed = store_.deleteKv(workspace_id, key);
  if (!removed) return removed.error();
  return {};
}

}  // namespace ws
