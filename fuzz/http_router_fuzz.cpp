// Raw bytes as an HTTP/1.1 request: Beast's parser with the server's limits, the conversion
// to ws::Request the server's session does, then the real router with every route.

#include <boost/asio/buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include <cctype>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "support/fixture.h"

namespace http = boost::beast::http;

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  ws::fuzz::fixture();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto& fx = ws::fuzz::fixture();
  http::request_parser<http::string_body> parser;
  parser.body_limit(fx.bodyLimit());
  parser.header_limit(64 * 1024);
  parser.eager(true);
  boost::system::error_code ec;
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  while (!rest.empty() && !parser.is_done()) {
    const std::size_t used = parser.put(boost::asio::buffer(rest.data(), rest.size()), ec);
    if (ec == http::error::need_more) break;
    if (ec) return 0;  // malformed or over a limit: the server closes or answers 413
    if (used == 0) break;
    rest.remove_prefix(used);
  }
  if (!parser.is_done()) return 0;  // incomplete: the server waits for more, then times out

  auto& msg = parser.get();
  ws::Request req;
  req.method = std::string(msg.method_string());
  req.remote_address = "127.0.0.1";
  for (const auto& field : msg) {
    std::string name(field.name_string());
    for (char& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    req.headers[name] = std::string(field.value());
  }
  req.body = std::move(msg.body());
  if (!ws::parseRequestTarget(msg.target(), req)) return 0;  // the server answers 400
  const ws::Response res = fx.handle(req, boost::beast::websocket::is_upgrade(msg));
  if (res.status < 100 || res.status > 599) __builtin_trap();  // not a status the server can send
  return 0;
}
