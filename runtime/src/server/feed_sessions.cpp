#include "server/feed_sessions.h"

#include <boost/asio.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include <deque>
#include <memory>
#include <string>

namespace ws {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using namespace net::experimental::awaitable_operators;

constexpr auto kUseTuple = net::as_tuple(net::use_awaitable);

// Waits until `feed` has messages, is closed, or `idle` passes; fills `batch`. False when the
// feed is closed and drained; `idle_passed` is set when the wait timed out.
net::awaitable<bool> nextBatch(Feed& feed, std::deque<std::string>& batch, bool& idle_passed,
                               std::chrono::seconds idle = kStreamIdle) {
  auto ex = co_await net::this_coro::executor;
  auto wake = std::make_shared<net::steady_timer>(ex);
  wake->expires_after(idle);
  // The waker runs on the pushing thread; the timer is touched only on this session's thread
  // (one thread per io_context), after the wait below has begun.
  const bool open = feed.take(batch, [wake, ex] { net::post(ex, [wake] { wake->cancel(); }); });
  idle_passed = false;
  if (!open || !batch.empty()) co_return open;
  auto [ec] = co_await wake->async_wait(kUseTuple);
  idle_passed = !ec;
  co_return feed.take(batch, nullptr);
}

}  // namespace

net::awaitable<void> sendFeed(websocket::stream<beast::tcp_stream>& ws, Feed& feed) {
  auto toClient = [&]() -> net::awaitable<void> {
    std::deque<std::string> batch;
    bool idle = false;
    while (co_await nextBatch(feed, batch, idle)) {
      for (; !batch.empty(); batch.pop_front()) {
        auto [ec, n] = co_await ws.async_write(net::buffer(batch.front()), kUseTuple);
        if (ec) co_return;
      }
    }
    co_await ws.async_close(websocket::close_code::going_away, kUseTuple);
  };
  auto fromClient = [&]() -> net::awaitable<void> {
    beast::flat_buffer buffer;
    for (;;) {
      auto [ec, n] = co_await ws.async_read(buffer, kUseTuple);
      if (ec) co_return;
      buffer.consume(buffer.size());
    }
  };
  co_await (toClient() || fromClient());
  boost::system::error_code ignored;
  beast::get_lowest_layer(ws).socket().shutdown(net::ip::tcp::socket::shutdown_both, ignored);
}

net::awaitable<void> sendEvents(beast::tcp_stream& stream, unsigned version, const Response& res,
                                std::chrono::seconds write_timeout) {
  http::response<http::empty_body> head{http::status::ok, version};
  head.set(http::field::server, "workspace-server");
  head.set(http::field::content_type, "text/event-stream");
  head.set(http::field::cache_control, "no-cache");
  head.set("X-Accel-Buffering", "no");
  for (const auto& [name, value] : res.headers) head.set(name, value);
  head.keep_alive(false);  // the body ends when the connection does
  http::response_serializer<http::empty_body> serializer{head};
  stream.expires_after(write_timeout);
  auto [hec, hn] = co_await http::async_write_header(stream, serializer, kUseTuple);
  if (hec) co_return;
  const bool whole = res.framing.whole_events;
  if (!whole) {
    stream.expires_after(write_timeout);
    auto [pec, pn] = co_await net::async_write(stream, net::buffer(std::string_view(": ping\n\n")), kUseTuple);
    if (pec) co_return;
  }
  std::deque<std::string> batch;
  bool idle = false;
  while (co_await nextBatch(*res.feed, batch, idle, res.framing.idle)) {
    std::string out = !idle ? "" : whole ? ": ping\n\n" : ": keep-alive\n\n";
    for (; !batch.empty(); batch.pop_front()) out += whole ? batch.front() : "data: " + batch.front() + "\n\n";
    stream.expires_after(write_timeout);
    auto [ec, n] = co_await net::async_write(stream, net::buffer(out), kUseTuple);
    if (ec) co_return;
  }
}

}  // namespace ws
