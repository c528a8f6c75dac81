#include "core/io_deadline.h"

#include <boost/asio/steady_timer.hpp>

#include <memory>
#include <stdexcept>

namespace ws {

using namespace std::chrono_literals;

class IoWatchdog {
 public:
  explicit IoWatchdog(boost::asio::io_context& ctx) : timer_(ctx) {}

  void watch(IoDeadline& d) {
    d.slot_ = watched_.insert(watched_.end(), &d);
    arm();
  }
  void forget(IoDeadline& d) { watched_.erase(d.slot_); }

 private:
  static constexpr auto kTick = 100ms;

  // Ticks only while something is watched, so an idle thread sleeps.
  void arm() {
    if (armed_ || watched_.empty()) return;
    armed_ = true;
    timer_.expires_after(kTick);
    timer_.async_wait([this](boost::system::error_code ec) {
      armed_ = false;
      if (ec) return;
      const auto now = std::chrono::steady_clock::now();
      for (IoDeadline* d : watched_) {
        if (d->expired_ || d->at_ > now) continue;
        d->expired_ = true;
        boost::system::error_code ignored;
        d->socket_.cancel(ignored);
      }
      arm();
    });
  }

  boost::asio::steady_timer timer_;
  std::list<IoDeadline*> watched_;
  bool armed_ = false;
};

namespace {
thread_local std::shared_ptr<IoWatchdog> tl_watchdog;
}  // namespace

IoDeadline::IoDeadline(boost::asio::ip::tcp::socket& socket) : watchdog_(tl_watchdog), socket_(socket) {
  if (!tl_watchdog) throw std::logic_error("IoDeadline on a thread without bindIoDeadlines");
  tl_watchdog->watch(*this);
}

IoDeadline::~IoDeadline() {
  if (auto watchdog = watchdog_.lock()) watchdog->forget(*this);
}

void IoDeadline::expiresAfter(std::chrono::steady_clock::duration d) {
  at_ = std::chrono::steady_clock::now() + d;
  expired_ = false;
}

void bindIoDeadlines(boost::asio::io_context& ctx) { tl_watchdog = std::make_shared<IoWatchdog>(ctx); }

void unbindIoDeadlines() { tl_watchdog.reset(); }

}  // namespace ws
