#pragma once
// When each background loop last went round (GET /admin/liveness). A loop that stops ticking is
// stuck even though the process is up and /health answers: this is what shows it.

#include <map>
#include <mutex>
#include <string>

#include "core/util.h"

namespace ws {

class SubsystemTicks {
 public:
  /// `name` went round now.
  void tick(const std::string& name) {
    std::lock_guard lock(mutex_);
    last_[name] = Clock::now();
  }
  /// Every subsystem that has ticked, with its last tick.
  std::map<std::string, Clock::time_point> snapshot() const {
    std::lock_guard lock(mutex_);
    return last_;
  }

 private:
  mutable std::mutex mutex_;
  std::map<std::string, Clock::time_point> last_;
};

}  // namespace ws
