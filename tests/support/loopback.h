#pragma once
// Loopback helpers for unit tests that talk to a scripted peer.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <string>

namespace ws::test {

/// A loopback URL with nothing listening on it (a port bound, then released): connections are
/// refused at once.
inline std::string refusedUrl() {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor a(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
  const auto port = a.local_endpoint().port();
  a.close();
  return "http://127.0.0.1:" + std::to_string(port);
}

}  // namespace ws::test
