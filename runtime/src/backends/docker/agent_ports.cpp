#include "backends/docker/agent_ports.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <random>
#include <string>

namespace ws::docker {
namespace {

bool loopbackPortFree(int port) {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor a(io);
  boost::system::error_code ec;
  a.open(boost::asio::ip::tcp::v4(), ec);
  if (!ec) a.bind({boost::asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)}, ec);
  return !ec;
}

}  // namespace

AgentPorts::AgentPorts() : next_(static_cast<int>(std::random_device{}() % kCount)) {}

Result<int> AgentPorts::take() {
  std::lock_guard lock(mutex_);
  for (int tries = 0; tries < kCount; ++tries) {
    const int candidate = kFirst + next_;
    next_ = (next_ + 1) % kCount;
    if (loopbackPortFree(candidate)) return candidate;
  }
  return makeError(Errc::backend_error, "no free agent port in " + std::to_string(kFirst) + "-" +
                                            std::to_string(kFirst + kCount - 1));
}

}  // namespace ws::docker
