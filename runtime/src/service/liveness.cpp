#include "service/liveness.h"

namespace ws {

void LivenessTracker::touch(const std::string& workspace_id, SteadyClock::time_point now) {
  std::lock_guard lock(mutex_);
  last_seen_[workspace_id] = now;
}

void LivenessTracker::forget(const std::string& workspace_id) {
  std::lock_guard lock(mutex_);
  last_seen_.erase(workspace_id);
}

std::vector<std::string> LivenessTracker::takeExpired(SteadyClock::time_point now) {
  std::vector<std::string> out;
  std::lock_guard lock(mutex_);
  for (auto it = last_seen_.begin(); it != last_seen_.end();) {
    if (now - it->second >= ttl_) {
      out.push_back(it->first);
      it = last_seen_.erase(it);
    } else {
      ++it;
    }
  }
  return out;
}

}  // namespace ws
