#include "core/feed.h"

#include <utility>

namespace ws {

// The waker runs under the lock, so that once detach() returns no waker is running (it may
// post to the session's executor, which must then still exist). Wakers only post.
bool Feed::push(std::string message) {
  std::lock_guard lock(mutex_);
  if (closed_) return false;
  const bool accepted = queue_.size() < capacity_;
  if (accepted) queue_.push_back(std::move(message));
  else closed_ = overflowed_ = true;
  if (auto wake = std::exchange(waker_, nullptr)) wake();
  return accepted;
}

void Feed::close() {
  std::lock_guard lock(mutex_);
  closed_ = true;
  if (auto wake = std::exchange(waker_, nullptr)) wake();
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
