#include "core/http_client.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <charconv>
#include <optional>

namespace ws {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
constexpr auto kTuple = net::as_tuple(net::use_awaitable);

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
      unsigned short port = 0;
      if (std::from_chars(call.port.data(), call.port.data() + call.port.size(), port).ec != std::errc())
        co_return makeError(Errc::invalid_argument, call.peer + " port is not a number: " + call.port);
      for (const auto& a : call.addresses) {
        boost::system::error_code aec;
        const auto address = net::ip::make_address(a, aec);
        if (aec) co_return makeError(Errc::invalid_argument, call.peer + " address is not an IP: " + a);
        endpoints.emplace_back(address, port);
      }
    }
    beast::tcp_stream stream(io);
    stream.expires_after(call.timeout);
    auto [cec, ep] = co_await stream.async_connect(endpoints, kTuple);
    if (cec) co_return makeError(cec == beast::error::timeout ? Errc::timeout : Errc::backend_unavailable,
                                 call.peer + " not reachable: " + cec.message());
    http::request<http::string_body> req{http::string_to_verb(call.method), call.target, 11};
    req.set(http::field::host, call.host);
    if (!call.body.empty()) req.set(http::field::content_type, call.content_type);
    for (const auto& [name, value] : call.headers) req.set(name, value);
    req.body() = call.body;
    req.prepare_payload();
    auto [wec, wn] = co_await http::async_write(stream, req, kTuple);
    if (wec) co_return makeError(wec == beast::error::timeout ? Errc::timeout : Errc::backend_unavailable,
                                 call.peer + " write failed: " + wec.message());
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(call.cap);
    auto [hec, hn] = co_await http::async_read(stream, buffer, parser, kTuple);
    if (hec == http::error::body_limit)
      co_return makeError(Errc::backend_error, call.peer + " response larger than " + std::to_string(call.cap) + " bytes");
    if (hec == beast::error::timeout) co_return makeError(Errc::timeout, call.peer + " did not answer in time");
    if (hec) co_return makeError(Errc::backend_unavailable, call.peer + " read failed: " + hec.message());
    co_return HttpReply{static_cast<int>(parser.get().result_int()), std::move(parser.get().body())};
  };
  net::co_spawn(io, run(), [&](std::exception_ptr e, Result<HttpReply> r) {
    out = e ? Result<HttpReply>(makeError(Errc::internal, call.peer + " client: unexpected exception")) : std::move(r);
  });
  io.run();
  return std::move(*out);
}

}  // namespace ws
