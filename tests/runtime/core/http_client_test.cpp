// pooledExchange: keep-alive reuse on the bound I/O thread, a connection the peer closed while
// idle replaced transparently, refusals, and the I/O-thread requirement.

#include "core/http_client.h"

#include <gtest/gtest.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <atomic>
#include <optional>
#include <thread>

#include "support/loopback.h"

namespace ws {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

// An HTTP peer on loopback that answers every request with its running count, keeps
// connections open unless told to drop each after one answer (while claiming keep-alive).
class CountingPeer {
 public:
  explicit CountingPeer(bool drop_after_answer) : drop_(drop_after_answer) {
    thread_ = std::thread([this] { serve(); });
  }
  ~CountingPeer() {
    stop_ = true;
    boost::system::error_code ec;
    tcp::socket poke(io_);
    poke.connect(acceptor_.local_endpoint(), ec);  // unblocks accept
    thread_.join();
  }
  std::string port() const { return std::to_string(acceptor_.local_endpoint().port()); }
  int connections() const { return connections_; }
  int requests() const { return requests_; }

 private:
  void serve() {
    while (!stop_) {
      tcp::socket socket(io_);
      boost::system::error_code ec;
      acceptor_.accept(socket, ec);
      if (ec || stop_) return;
      ++connections_;
      beast::flat_buffer buffer;
      for (;;) {
        http::request<http::string_body> req;
        http::read(socket, buffer, req, ec);
        if (ec) break;
        http::response<http::string_body> res{http::status::ok, 11};
        res.body() = std::to_string(++requests_);
        res.keep_alive(true);
        res.prepare_payload();
        http::write(socket, res, ec);
        if (ec || drop_) break;
      }
    }
  }

  bool drop_;
  net::io_context io_;
  tcp::acceptor acceptor_{io_, {net::ip::make_address("127.0.0.1"), 0}};
  std::atomic<bool> stop_{false};
  std::atomic<int> connections_{0};
  std::atomic<int> requests_{0};
  std::thread thread_;
};

HttpCall callTo(const std::string& port) {
  HttpCall call{.peer = "agent", .method = "POST", .host = "127.0.0.1", .port = port, .target = "/"};
  call.addresses = {"127.0.0.1"};
  call.body = "{}";
  call.timeout = std::chrono::seconds(5);
  return call;
}

// One pooled exchange on this thread, bound to `io`.
Result<HttpReply> exchangeOn(net::io_context& io, const HttpCall& call) {
  std::optional<Result<HttpReply>> out;
  pooledExchange(call, [&](Result<HttpReply> r) { out = std::move(r); });
  io.restart();
  io.run();
  return std::move(*out);
}

TEST(PooledExchange, ReusesTheConnection) {
  CountingPeer peer(false);
  net::io_context io;
  bindIoThread(io);
  for (int i = 1; i <= 3; ++i) {
    auto r = exchangeOn(io, callTo(peer.port()));
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->body, std::to_string(i));
  }
  EXPECT_EQ(peer.connections(), 1) << "three calls, one connection";
  unbindIoThread();  // closes the kept connection
}

TEST(PooledExchange, AConnectionClosedWhileIdleIsReplaced) {
  CountingPeer peer(true);
  net::io_context io;
  bindIoThread(io);
  for (int i = 1; i <= 3; ++i) {
    auto r = exchangeOn(io, callTo(peer.port()));
    ASSERT_TRUE(r) << "call " << i << ": " << r.error().message;
    EXPECT_EQ(r->body, std::to_string(i));
  }
  EXPECT_EQ(peer.requests(), 3) << "no request sent twice";
  EXPECT_EQ(peer.connections(), 3);
  unbindIoThread();
}

TEST(PooledExchange, AnAgentThatNeverAnswersTimesOut) {
  net::io_context peer_io;
  tcp::acceptor silent(peer_io, {net::ip::make_address("127.0.0.1"), 0});
  net::io_context io;
  bindIoThread(io);
  auto call = callTo(std::to_string(silent.local_endpoint().port()));
  call.timeout = std::chrono::milliseconds(300);
  const auto t0 = std::chrono::steady_clock::now();
  auto r = exchangeOn(io, call);  // connects (the backlog accepts it), writes, waits for an answer
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::timeout) << r.error().message;
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(2));
  unbindIoThread();
}

TEST(PooledExchange, RefusedAndOffThreadCallsFail) {
  net::io_context io;
  bindIoThread(io);
  const std::string url = test::refusedUrl();
  auto refused = exchangeOn(io, callTo(url.substr(url.rfind(':') + 1)));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, Errc::backend_unavailable);
  std::optional<Result<HttpReply>> off;
  std::thread([&] { pooledExchange(callTo("1"), [&](Result<HttpReply> r) { off = std::move(r); }); }).join();
  ASSERT_TRUE(off && !*off);
  EXPECT_EQ(off->error().code, Errc::internal) << "an unbound thread has no I/O context";
  unbindIoThread();
}

}  // namespace
}  // namespace ws
