// AgentPorts: loopback ports for host-network agents, in range, round-robin, never one in use.

#include "backends/docker/agent_ports.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <gtest/gtest.h>

namespace ws::docker {
namespace {

bool inRange(int port) { return port >= AgentPorts::kFirst && port < AgentPorts::kFirst + AgentPorts::kCount; }
int after(int port) { return AgentPorts::kFirst + (port - AgentPorts::kFirst + 1) % AgentPorts::kCount; }

TEST(AgentPorts, HandsOutPortsOfTheRangeInTurn) {
  AgentPorts ports;
  const auto first = ports.take();
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_TRUE(inRange(*first)) << *first;
  const auto second = ports.take();
  ASSERT_TRUE(second);
  EXPECT_TRUE(inRange(*second)) << *second;
  EXPECT_NE(*second, *first) << "a port is not handed out again at once";
}

TEST(AgentPorts, SkipsAPortSomethingListensOn) {
  AgentPorts ports;
  const auto first = ports.take();
  ASSERT_TRUE(first);
  // Whatever holds the next port in turn, the picker passes it by.
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor held(io);
  boost::system::error_code ec;
  held.open(boost::asio::ip::tcp::v4(), ec);
  ASSERT_FALSE(ec);
  held.bind({boost::asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(after(*first))}, ec);
  ASSERT_FALSE(ec) << "port " << after(*first) << " is busy on this machine: " << ec.message();
  const auto next = ports.take();
  ASSERT_TRUE(next);
  EXPECT_NE(*next, after(*first));
  EXPECT_TRUE(inRange(*next));
}

}  // namespace
}  // namespace ws::docker
