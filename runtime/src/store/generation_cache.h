#pragma once
// A read cache for rows that hot paths look up on every request (a workspace, a token), kept
// exact rather than fresh-enough: each entry remembers the store's generation when it was read,
// and is served only while that generation is current. The store moves the generation on any
// change to the tables the rows come from (SqliteStore: SQLite's update hook), so no write
// path can forget to invalidate. Bounded in bytes: emptied when full.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
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
  static constexpr std::size_t kBudget = 64u << 20;  ///< Bytes, as `cost` counts them.

  /// `cost`: the bytes an entry holds (its large fields; the struct itself by default).
  explicit GenerationCache(const std::atomic<std::uint64_t>& generation,
                           std::function<std::size_t(const V&)> cost = [](const V&) { return sizeof(V); })
      : generation_(generation), cost_(std::move(cost)) {}

  std::optional<V> find(const std::string& key) const {
    std::shared_lock lock(mutex_);
    const auto it = entries_.find(key);
    if (it == entries_.end() || it->second.first != generation_.load(std::memory_order_acquire)) return std::nullopt;
    return it->second.second;
  }
  /// `value` as read at `generation` (loaded before the read, under the store's write lock).
  void put(const std::string& key, std::uint64_t generation, V value) {
    const std::size_t cost = cost_(value) + key.size();
    if (cost > kBudget / 64) return;  // a huge row is read from the database each time
    std::unique_lock lock(mutex_);
    if (auto it = entries_.find(key); it != entries_.end()) {
      bytes_ -= cost_(it->second.second) + key.size();
      entries_.erase(it);
    }
    if (bytes_ + cost > kBudget) {
      entries_.clear();
      bytes_ = 0;
    }
    entries_.emplace(key, std::pair(generation, std::move(value)));
    bytes_ += cost;
  }

 private:
  const std::atomic<std::uint64_t>& generation_;
  const std::function<std::size_t(const V&)> cost_;
  std::size_t bytes_ = 0;
  mutable std::shared_mutex mutex_;
  std::unordered_map<std::string, std::pair<std::uint64_t, V>> entries_;
};

}  // namespace ws
