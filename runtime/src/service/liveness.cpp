#include "service/liveness.h"

namespace ws {

Result<std::vector<std::string>> LivenessTracker::expired(Clock::time_point now) {
  const auto cutoff = now - ttl_;
  if (started_ > cutoff) return std::vector<std::string>{};  // within the grace after a start
  return store_.silentSince(formatTime(cutoff));
}

}  // namespace ws
