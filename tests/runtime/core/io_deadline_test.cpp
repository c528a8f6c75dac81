// IoDeadline: the watchdog cancels a socket's operations once its deadline passes, leaves a
// socket without one alone, and refuses a thread that has no watchdog.

#include "core/io_deadline.h"

#include <gtest/gtest.h>
#include <boost/asio/write.hpp>

#include <optional>
#include <thread>

namespace ws {
namespace {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using Steady = std::chrono::steady_clock;

// A connected loopback pair on `io`: the server side is returned, the client side kept open.
struct Pair {
  net::io_context& io;
  tcp::acceptor acceptor{io, {net::ip::make_address("127.0.0.1"), 0}};
  tcp::socket client{io};
  tcp::socket server{io};
  explicit Pair(net::io_context& c) : io(c) {
    client.connect(acceptor.local_endpoint());
    server = acceptor.accept();
  }
};

// A thread with deadlines, a connected pair, and one pending read on the server side.
class IoDeadlineTest : public ::testing::Test {
 protected:
  IoDeadlineTest() { bindIoDeadlines(io_); }
  ~IoDeadlineTest() override { unbindIoDeadlines(); }
  void startRead() {
    pair_.server.async_read_some(net::buffer(&byte_, 1), [this](boost::system::error_code ec, std::size_t) { result_ = ec; });
  }

  net::io_context io_;
  Pair pair_{io_};
  std::optional<boost::system::error_code> result_;
  char byte_ = 0;
};

TEST_F(IoDeadlineTest, APassedDeadlineCancelsTheRead) {
  IoDeadline deadline(pair_.server);
  deadline.expiresAfter(std::chrono::milliseconds(200));
  startRead();
  const auto t0 = Steady::now();
  while (!result_ && Steady::now() - t0 < std::chrono::seconds(3)) io_.run_one_for(std::chrono::milliseconds(50));
  ASSERT_TRUE(result_) << "the read was never cancelled";
  EXPECT_EQ(*result_, net::error::operation_aborted);
  EXPECT_TRUE(deadline.expired());
  EXPECT_GE(Steady::now() - t0, std::chrono::milliseconds(150)) << "cancelled before its time";
}

TEST_F(IoDeadlineTest, NoDeadlineNoCancel) {
  IoDeadline deadline(pair_.server);
  deadline.expiresAfter(std::chrono::milliseconds(100));
  deadline.never();
  startRead();
  io_.run_for(std::chrono::milliseconds(400));
  EXPECT_FALSE(result_) << "cancelled without a deadline";
  EXPECT_FALSE(deadline.expired());
  net::write(pair_.client, net::buffer("x", 1));
  io_.run_for(std::chrono::milliseconds(200));
  ASSERT_TRUE(result_);
  EXPECT_FALSE(*result_);
}

TEST(IoDeadline, AThreadWithoutWatchdogIsRefused) {
  net::io_context io;
  Pair pair(io);
  EXPECT_THROW(IoDeadline deadline(pair.server), std::logic_error);
}

}  // namespace
}  // namespace ws
