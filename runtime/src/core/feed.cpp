#include "core/feed.h"

#include <utility>

namespace ws {

bool Feed::push(std::string message) {
  Waker wake;
  bool accepted = false;
  {
    std::lock_guard lock(mutex_);
    if (closed_) return false;
    if (queue_.size() >= capacity_) {
      closed_ = overflowed_ = true;
    } else {
      queue_.push_back(std::move(message));
      accepted = true;
    }
    wake = std::exchange(waker_, nullptr);
  }
  if (wake) wake();
  return accepted;
}

void Feed::close() {
  Waker wake;
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
    wake = std::exchange(waker_, nullptr);
  }
  if (wake) wake();
}

bool Feed::closed() const {
  std::lock_guard lock(mutex_);
  return closed_;
}

bool Feed::overflowed() const {
  std::lock_guard lock(mutex_);
  return overflowed_;
}

bool Feed::take(std::deque<std::string>& out, Waker waker) {
  std::lock_guard lock(mutex_);
  while (!queue_.empty()) {
    out.push_back(std::move(queue_.front()));
    queue_.pop_front();
  }
  if (out.empty() && !closed_) waker_ = std::move(waker);
  return !(closed_ && out.empty());
}

void Feed::detach() {
  std::lock_guard lock(mutex_);
  closed_ = true;
  waker_ = nullptr;
  queue_.clear();
}

}  // namespace ws
