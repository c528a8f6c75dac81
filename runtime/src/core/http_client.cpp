#include "http_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/url/parse.hpp>

namespace ws {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

Result<HttpReply> postJson(const std::string& url, const std::string& body, std::chrono::milliseconds timeout) {
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed || parsed->scheme() != "http" || parsed->host().empty())
    return makeError(Errc::invalid_argument, "not an http:// URL: " + url);
  const std::string host = parsed->host();
  const std::string port = parsed->has_port() ? std::string(parsed->port()) : "80";
  std::string target = parsed->encoded_path().empty() ? "/" : std::string(parsed->encoded_path());
  if (parsed->has_query()) target += "?" + std::string(parsed->encoded_query());

  net::io_context io;
  beast::tcp_stream stream(io);
  stream.expires_after(timeout);
  beast::error_code ec;
  auto classify = [&](const char* what) -> Error {
    if (ec == beast::error::timeout) return {Errc::timeout, std::string("agent did not answer in time (") + what + ")"};
    if (ec == net::error::connection_refused || ec == net::error::connection_reset || ec == http::error::end_of_stream)
      return {Errc::backend_unavailable, std::string("agent unreachable (") + what + "): " + ec.message()};
    return {Errc::backend_error, std::string("agent call failed (") + what + "): " + ec.message()};
  };
  tcp::resolver resolver(io);
  auto endpoints = resolver.resolve(host, port, ec);
  if (ec) return classify("resolve");
  // The deadline covers connect, write and read alike.
  stream.async_connect(endpoints, [&](beast::error_code e, const tcp::endpoint&) { ec = e; });
  io.run();
  if (ec) return classify("connect");
  http::request<http::string_body> req{http::verb::post, target, 11};
  req.set(http::field::host, host + ":" + port);
  req.set(http::field::content_type, "application/json");
  req.body() = body;
  req.prepare_payload();
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(16u << 20);
  io.restart();
  http::async_write(stream, req, [&](beast::error_code e, std::size_t) {
    ec = e;
    if (!e) http::async_read(stream, buffer, parser, [&](beast::error_code r, std::size_t) { ec = r; });
  });
  io.run();
  if (ec) return classify("exchange");
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
  return HttpReply{static_cast<int>(parser.get().result_int()), std::move(parser.get().body())};
}

}  // namespace ws
