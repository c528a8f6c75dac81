#pragma once
// An A2A agent on an ephemeral loopback port that answers every request alike and keeps the
// bodies, for tests of the paths that reach agents (schedules, the proxy, token usage).

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace ws::test {

// With hold(), answers wait until release(), so a test can act while a request is in flight.
class FakeAgent {
  using json = nlohmann::json;
  static constexpr auto kTuple = boost::asio::as_tuple(boost::asio::use_awaitable);

 public:
  FakeAgent() : acceptor_(io_, {boost::asio::ip::make_address("127.0.0.1"), 0}), gate_(io_) {
    gate_.expires_at(boost::asio::steady_timer::time_point::max());
    boost::asio::co_spawn(io_, accept(), boost::asio::detached);
    thread_ = std::thread([this] { io_.run(); });
  }
  ~FakeAgent() {
    io_.stop();
    thread_.join();
  }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port()); }
  void answer(int status, json body) {
    std::lock_guard lock(mutex_);
    status_ = status;
    body_ = body.dump();
  }
  void hold() { held_ = true; }
  void release() {
    boost::asio::post(io_, [this] {
      released_ = true;  // for answers whose request has not arrived yet
      gate_.cancel();
    });
  }
  std::vector<json> received() const {
    std::lock_guard lock(mutex_);
    return received_;
  }

 private:
  boost::asio::awaitable<void> accept() {
    for (;;) {
      auto [ec, socket] = co_await acceptor_.async_accept(kTuple);
      if (ec) co_return;
      boost::asio::co_spawn(io_, session(boost::beast::tcp_stream(std::move(socket))), boost::asio::detached);
    }
  }

  boost::asio::awaitable<void> session(boost::beast::tcp_stream stream) {
    boost::beast::flat_buffer buffer;
    boost::beast::http::request<boost::beast::http::string_body> req;
    if (auto [ec, n] = co_await boost::beast::http::async_read(stream, buffer, req, kTuple); ec) co_return;
    boost::beast::http::response<boost::beast::http::string_body> res;
    {
      std::lock_guard lock(mutex_);
      received_.push_back(json::parse(req.body(), nullptr, false));
      res.result(status_);
      res.body() = body_;
    }
    if (held_ && !released_) co_await gate_.async_wait(kTuple);
    res.set(boost::beast::http::field::content_type, "application/json");
    res.keep_alive(false);
    res.prepare_payload();
    co_await boost::beast::http::async_write(stream, res, kTuple);
  }

  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer gate_;
  std::atomic<bool> held_ = false;
  bool released_ = false;  // touched on the I/O thread only
  mutable std::mutex mutex_;
  int status_ = 200;
  std::string body_ = R"({"jsonrpc":"2.0","id":"1","result":{"kind":"message","parts":[{"kind":"text","text":"done"}]}})";
  std::vector<json> received_;
  std::thread thread_;
};

}  // namespace ws::test
