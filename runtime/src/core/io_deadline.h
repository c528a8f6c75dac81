#pragma once
// Deadlines for the sockets of a server I/O thread, checked together by one timer that ticks
// every 100 ms. A Beast stream's own timeout arms a timer around every read and write: a
// timerfd_settime syscall and a cancelled completion each time, which on a keep-alive request
// cost more than the request itself. Here a deadline is a number; the tick cancels the socket
// operations of each one that passed.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <chrono>
#include <list>
#include <memory>

namespace ws {

class IoWatchdog;

class IoDeadline {
 public:
  /// Watches `socket`, which belongs to this I/O thread (see bindIoDeadlines); throws
  /// std::logic_error on a thread without deadlines.
  explicit IoDeadline(boost::asio::ip::tcp::socket& socket);
  ~IoDeadline();
  IoDeadline(const IoDeadline&) = delete;
  IoDeadline& operator=(const IoDeadline&) = delete;

  /// The socket's pending and coming operations are cancelled once `d` has passed (to within
  /// the tick).
  void expiresAfter(std::chrono::steady_clock::duration d);
  /// No deadline (a keep-alive connection waiting for its next use).
  void never() { at_ = std::chrono::steady_clock::time_point::max(); }
  /// True once the deadline passed and the operations were cancelled: tells a timeout from a
  /// peer that went away.
  bool expired() const { return expired_; }

 private:
  friend class IoWatchdog;
  std::weak_ptr<IoWatchdog> watchdog_;  ///< Its thread's; gone first when the thread unbinds.
  boost::asio::ip::tcp::socket& socket_;
  std::chrono::steady_clock::time_point at_ = std::chrono::steady_clock::time_point::max();
  bool expired_ = false;
  std::list<IoDeadline*>::iterator slot_;
};

/// Gives the calling thread, which runs `ctx`, its deadline watchdog; unbind before `ctx` goes.
void bindIoDeadlines(boost::asio::io_context& ctx);
void unbindIoDeadlines();

}  // namespace ws
