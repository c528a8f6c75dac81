#pragma once
// In-process liveness (the embedded replacement for the reference's Redis TTL keys): each
// heartbeat or registration refreshes a deadline; a workspace silent for the TTL expires.

#include <chrono>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace ws {

class LivenessTracker {
 public:
  using SteadyClock = std::chrono::steady_clock;

  explicit LivenessTracker(std::chrono::seconds ttl) : ttl_(ttl) {}

  void touch(const std::string& workspace_id, SteadyClock::time_point now = SteadyClock::now());
  void forget(const std::string& workspace_id);
  /// Removes and returns every workspace whose last touch is older than the TTL.
  std::vector<std::string> takeExpired(SteadyClock::time_point now = SteadyClock::now());

 private:
  std::chrono::seconds ttl_;
  std::mutex mutex_;
  std::unordered_map<std::string, SteadyClock::time_point> last_seen_;
};

}  // namespace ws
