#pragma once
// A fixed-window rate limit per key (a client address): at most `limit` takes per `window`,
// counted from a key's first take in the window, as the reference's limiter does. Memory is
// bounded: past `max_keys` keys, expired windows go first, then the oldest.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

namespace ws {

class RateLimit {
 public:
  using Clock = std::chrono::steady_clock;

  struct Decision {
    bool allowed = false;
    int limit = 0;
    int remaining = 0;          ///< Takes left in the window after this one.
    std::int64_t reset_seconds = 0;  ///< Until the window ends.
  };

  RateLimit(int limit, std::chrono::seconds window, std::size_t max_keys = 10000)
      : limit_(limit), window_(window), max_keys_(max_keys) {}

  /// Counts one take for `key` at `now`.
  Decision take(const std::string& key, Clock::time_point now = Clock::now());

 private:
  struct Window {
    Clock::time_point start;
    int used = 0;
  };
  void makeRoom(Clock::time_point now);

  const int limit_;
  const std::chrono::seconds window_;
  const std::size_t max_keys_;
  std::mutex mutex_;
  std::unordered_map<std::string, Window> windows_;
};

}  // namespace ws
