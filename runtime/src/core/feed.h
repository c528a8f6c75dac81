#pragma once
// A live stream of messages to one client (a WebSocket of the event hub, or an SSE response).
// Producers push from any thread and never wait; the session that serves the client drains it
// on its own I/O thread. Bounded: a client that falls `capacity` messages behind is dropped
// (the feed closes), so a slow reader never holds up the producer or the other clients.

#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <string>

namespace ws {

class Feed {
 public:
  using Waker = std::function<void()>;

  explicit Feed(std::size_t capacity = 256) : capacity_(capacity) {}

  /// Queues one message; false when the feed is closed, or closes now because it is full.
  bool push(std::string message);
  /// Ends the stream: what is queued is still delivered, nothing more. Any thread, idempotent.
  void close();
  bool closed() const;
  /// True when the feed closed because the client fell too far behind.
  bool overflowed() const;

  /// Session side: moves the queued messages to the end of `out`. When nothing is queued and the
  /// feed is open, `waker` is kept and called once, from the pushing thread and under the feed's
  /// lock (so it must not call the feed), on the next push or close. False once the feed is
  /// closed and drained.
  bool take(std::deque<std::string>& out, Waker waker);
  /// Session side, at its end: closes the feed and forgets the waker (which may capture the
  /// session's state); no waker runs after it returns.
  void detach();

 private:
  const std::size_t capacity_;
  mutable std::mutex mutex_;
  std::deque<std::string> queue_;
  Waker waker_;
  bool closed_ = false;
  bool overflowed_ = false;
};

}  // namespace ws
