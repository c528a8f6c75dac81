#pragma once
// The key-value memory of a workspace (the reference's workspace_memory): JSON values under
// string keys that an agent keeps between turns, each versioned so that concurrent writers
// can detect one another (if_match_version), optionally expiring.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ws/record_store.h"

namespace ws {

class KeyValueMemory {
 public:
  static constexpr std::size_t kMaxKeyBytes = 256;
  static constexpr std::size_t kMaxValueBytes = 256 * 1024;
  static constexpr std::size_t kMaxKeys = 1000;
  static constexpr std::int64_t kMaxTtlSeconds = 10LL * 366 * 24 * 3600;

  explicit KeyValueMemory(RecordStore& store) : store_(store) {}

  struct Write {
    std::string key;
    std::string value;  ///< JSON text.
    std::optional<std::int64_t> ttl_seconds;
    std::optional<std::int64_t> if_match_version;
  };

  /// The workspace's live entries, by key.
  Result<std::vector<KvEntry>> list(const std::string& workspace_id);
  /// not_found (`key not found`) when absent or expired.
  Result<KvEntry> get(const std::string& workspace_id, const std::string& key);
  /// Writes, or reports a version mismatch. invalid_argument for a bad key or time to live,
  /// too_large for a value over kMaxValueBytes or a new key beyond kMaxKeys.
  Result<KvOutcome> set(const std::string& workspace_id, const Write& w);
  /// Idempotent: removing an absent key is no error.
  Result<> remove(const std::string& workspace_id, const std::string& key);

  /// Empty when `key` is acceptable, else why not.
  static std::optional<std::string> keyProblem(const std::string& key);

 private:
  RecordStore& store_;
};

}  // namespace ws
