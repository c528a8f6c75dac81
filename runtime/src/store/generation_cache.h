#pragma once
// A read cache for rows that hot paths look up on every request (a workspace, a token), kept
// exact rather than fresh-enough: each entry remembers the store's generation when it was read,
// and is served only while that generation is current. The store moves the generation on any
// change to the tables the rows come from (SqliteStore: SQLite's update hook), so no write
// path can forget to invalidate. Bounded: emptied when full.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <utility>

namespace ws {

template <class V>
class GenerationCache {
 public:
  explicit GenerationCache(const std::atomic<std::uint64_t>& generation, std::size_t max_entries = 10000)
      : generation_(generation), max_entries_(max_entries) {}

  std::optional<V> find(const std::string& key) const {
    std::shared_lock lock(mutex_);
    const auto it = entries_.find(key);
    if (it == entries_.end() || it->second.first != generation_.load(std::memory_order_acquire)) return std::nullopt;
    return it->second.second;
  }
  /// `value` as read at `generation` (loaded before the read, under the store's write lock).
  void put(const std::string& key, std::uint64_t generation, V value) {
    std::unique_lock lock(mutex_);
    if (entries_.size() >= max_entries_) entries_.clear();
    entries_.insert_or_assign(key, std::pair(generation, std::move(value)));
  }

 private:
  const std::atomic<std::uint64_t>& generation_;
  const std::size_t max_entries_;
  mutable std::shared_mutex mutex_;
  std::unordered_map<std::string, std::pair<std::uint64_t, V>> entries_;
};

}  // namespace ws
