#include "core/http_client.h"

#include "core/http_wire.h"
#include "core/io_deadline.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <array>
#include <charconv>
#include <map>
#include <memory>
#include <optional>

namespace ws {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
constexpr auto kTuple = net::as_tuple(net::use_awaitable);

namespace {

/// The endpoints of `call.addresses` (IP literals).
Result<std::vector<net::ip::tcp::endpoint>> literalEndpoints(const HttpCall& call) {
  unsigned short port = 0;
  if (std::from_chars(call.port.data(), call.port.data() + call.port.size(), port).ec != std::errc())
    return makeError(Errc::invalid_argument, call.peer + " port is not a number: " + call.port);
  std::vector<net::ip::tcp::endpoint> endpoints;
  for (const auto& a : call.addresses) {
    boost::system::error_code aec;
    const auto address = net::ip::make_address(a, aec);
    if (aec) return makeError(Errc::invalid_argument, call.peer + " address is not an IP: " + a);
    endpoints.emplace_back(address, port);
  }
  return endpoints;
}

Error connectError(const HttpCall& call, boost::system::error_code ec) {
  return makeError(ec == beast::error::timeout ? Errc::timeout : Errc::backend_unavailable, call.peer + " not reachable: " + ec.message());
}
Error writeError(const HttpCall& call, boost::system::error_code ec) {
  return makeError(ec == beast::error::timeout ? Errc::timeout : Errc::backend_unavailable, call.peer + " write failed: " + ec.message());
}
Error readError(const HttpCall& call, boost::system::error_code ec) {
  if (ec == http::error::body_limit)
    return makeError(Errc::backend_error, call.peer + " response larger than " + std::to_string(call.cap) + " bytes");
  if (ec == beast::error::timeout) return makeError(Errc::timeout, call.peer + " did not answer in time");
  return makeError(Errc::backend_unavailable, call.peer + " read failed: " + ec.message());
}

}  // namespace

Result<HttpReply> httpExchange(const HttpCall& call) {
  net::io_context io;
  std::optional<Result<HttpReply>> out;
  auto run = [&]() -> net::awaitable<Result<HttpReply>> {
    std::vector<net::ip::tcp::endpoint> endpoints;
    if (call.addresses.empty()) {
      net::ip::tcp::resolver resolver(io);
      auto [rec, found] = co_await resolver.async_resolve(call.host, call.port, kTuple);
      if (rec) co_return makeError(Errc::backend_unavailable, call.peer + " host does not resolve: " + call.host);
      for (const auto& e : found) endpoints.push_back(e.endpoint());
    } else {
      auto literal = literalEndpoints(call);
      if (!literal) co_return literal.error();
      endpoints = std::move(*literal);
    }
    beast::tcp_stream stream(io);
    stream.expires_after(call.timeout);
    auto [cec, ep] = co_await stream.async_connect(endpoints, kTuple);
    if (cec) co_return connectError(call, cec);
    const std::string head = httpRequestHead(call.method, call.target, call.host, call.content_type, call.headers,
                                             call.body.size(), false);
    const std::array<net::const_buffer, 2> message{net::buffer(head), net::buffer(call.body)};
    auto [wec, wn] = co_await net::async_write(stream, message, kTuple);
    if (wec) co_return writeError(call, wec);
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(call.cap);
    auto [hec, hn] = co_await http::async_read(stream, buffer, parser, kTuple);
    if (hec) co_return readError(call, hec);
    co_return HttpReply{static_cast<int>(parser.get().result_int()), std::move(parser.get().body())};
  };
  net::co_spawn(io, run(), [&](std::exception_ptr e, Result<HttpReply> r) {
    out = e ? Result<HttpReply>(makeError(Errc::internal, call.peer + " client: unexpected exception")) : std::move(r);
  });
  io.run();
  return std::move(*out);
}

namespace {

constexpr std::size_t kMaxIdlePerPeer = 64;

// The keep-alive connections of one I/O thread, by peer address. Only that thread touches
// them, so no lock.
struct IoThread {
  net::io_context* ctx = nullptr;
  std::map<std::string, std::vector<std::unique_ptr<beast::tcp_stream>>> idle;
};
thread_local IoThread tl_io;

net::awaitable<Result<HttpReply>> pooled(HttpCall call) {
  auto endpoints = literalEndpoints(call);
  if (!endpoints) co_return endpoints.error();
  if (endpoints->empty()) co_return makeError(Errc::invalid_argument, call.peer + " has no address");
  const std::string key = call.addresses.front() + " " + call.port;
  const std::string head = httpRequestHead(call.method, call.target, call.host, call.content_type, call.headers,
                                           call.body.size(), true);
  const std::array<net::const_buffer, 2> message{net::buffer(head), net::buffer(call.body)};
  // A reused connection may have been closed by the peer while idle: then once more, fresh.
  for (int attempt = 0; attempt < 2; ++attempt) {
    std::unique_ptr<beast::tcp_stream> stream;
    auto& idle = tl_io.idle[key];
    const bool reused = !idle.empty();
    if (reused) {
      stream = std::move(idle.back());
      idle.pop_back();
    } else {
      stream = std::make_unique<beast::tcp_stream>(*tl_io.ctx);
      stream->expires_after(call.timeout);
      auto [cec, ep] = co_await stream->async_connect(*endpoints, kTuple);
      if (cec) co_return connectError(call, cec);
      stream->expires_never();
    }
    // The exchange's deadline (not the stream's own timer: see core/io_deadline.h).
    IoDeadline deadline(stream->socket());
    deadline.expiresAfter(call.timeout);
    auto [wec, wn] = co_await net::async_write(*stream, message, kTuple);
    if (deadline.expired()) wec = beast::error::timeout;
    if (wec) {
      if (reused) continue;
      co_return writeError(call, wec);
    }
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(call.cap);
    auto [hec, hn] = co_await http::async_read(*stream, buffer, parser, kTuple);
    if (deadline.expired()) hec = beast::error::timeout;
    if (hec) {
      const bool closed_while_idle = reused && hn == 0 && hec != beast::error::timeout;
      if (closed_while_idle) continue;
      co_return readError(call, hec);
    }
    auto res = parser.release();
    HttpReply out{static_cast<int>(res.result_int()), std::move(res.body())};
    auto& keep = tl_io.idle[key];
    if (res.keep_alive() && buffer.size() == 0 && keep.size() < kMaxIdlePerPeer) keep.push_back(std::move(stream));
    co_return out;
  }
  co_return makeError(Errc::backend_unavailable, call.peer + " closed the connection");
}

}  // namespace

void bindIoThread(net::io_context& ctx) {
  tl_io.idle.clear();
  tl_io.ctx = &ctx;
  bindIoDeadlines(ctx);
}

void unbindIoThread() {
  tl_io.idle.clear();
  tl_io.ctx = nullptr;
  unbindIoDeadlines();
}

bool onIoThread() { return tl_io.ctx != nullptr; }

void pooledExchange(HttpCall call, std::function<void(Result<HttpReply>)> done) {
  if (!tl_io.ctx) {
    done(makeError(Errc::internal, "pooledExchange called off an I/O thread"));
    return;
  }
  const std::string peer = call.peer;
  net::co_spawn(*tl_io.ctx, pooled(std::move(call)),
                [done = std::move(done), peer](std::exception_ptr e, Result<HttpReply> r) {
                  done(e ? Result<HttpReply>(makeError(Errc::internal, peer + " client: unexpected exception")) : std::move(r));
                });
}

}  // namespace ws
