#include "core/rate_limit.h"

#include <algorithm>

namespace ws {

RateLimit::Decision RateLimit::take(const std::string& key, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  auto it = windows_.find(key);
  if (it == windows_.end()) {
    makeRoom(now);
    it = windows_.emplace(key, Window{now, 0}).first;
  } else if (now - it->second.start >= window_) {
    it->second = Window{now, 0};
  }
  Window& w = it->second;
  const auto left = std::chrono::ceil<std::chrono::seconds>(w.start + window_ - now).count();
  Decision d{w.used < limit_, limit_, 0, std::max<std::int64_t>(left, 0)};
  if (d.allowed) ++w.used;
  d.remaining = std::max(limit_ - w.used, 0);
  return d;
}

void RateLimit::makeRoom(Clock::time_point now) {
  if (windows_.size() < max_keys_) return;
  std::erase_if(windows_, [&](const auto& kv) { return now - kv.second.start >= window_; });
  if (windows_.size() < max_keys_) return;
  auto oldest = std::min_element(windows_.begin(), windows_.end(),
                                 [](const auto& a, const auto& b) { return a.second.start < b.second.start; });
  windows_.erase(oldest);
}

}  // namespace ws
