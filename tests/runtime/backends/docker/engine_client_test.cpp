#include "backends/docker/engine_client.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>

namespace ws::docker {
namespace {

std::string frame(char type, const std::string& payload) {
  std::string h(8, '\0');
  h[0] = type;
  const auto n = payload.size();
  h[4] = static_cast<char>((n >> 24) & 0xff);
  h[5] = static_cast<char>((n >> 16) & 0xff);
  h[6] = static_cast<char>((n >> 8) & 0xff);
  h[7] = static_cast<char>(n & 0xff);
  return h + payload;
}

TEST(EngineClient, DemultiplexesStdoutAndStderr) {
  const std::string big(70000, 'x');
  auto out = EngineClient::demultiplex(frame(1, "hello ") + frame(2, "oops") + frame(1, big));
  EXPECT_EQ(out.out, "hello " + big);
  EXPECT_EQ(out.err, "oops");
  EXPECT_EQ(out.combined, "hello oops" + big);
  EXPECT_EQ(EngineClient::demultiplex("\x01\x00\x00").out, "") << "a truncated header is ignored";
}

TEST(EngineClient, NoEngineIsBackendUnavailable) {
  const auto t0 = std::chrono::steady_clock::now();
  auto c = EngineClient::connect("unix:///nonexistent/docker.sock", std::chrono::seconds(5));
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code, Errc::backend_unavailable);
  EXPECT_NE(c.error().message.find("/nonexistent/docker.sock"), std::string::npos);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(2));
}

TEST(EngineClient, SilentEngineTimesOutInsteadOfHanging) {
  const auto path = std::filesystem::temp_directory_path() / ("silent-" + std::to_string(getpid()) + ".sock");
  std::filesystem::remove(path);
  const int fd = socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(listen(fd, 4), 0);  // accepts (via the backlog) but never answers
  const auto t0 = std::chrono::steady_clock::now();
  auto c = EngineClient::connect("unix://" + path.string(), std::chrono::milliseconds(300));
  const auto took = std::chrono::steady_clock::now() - t0;
  close(fd);
  std::filesystem::remove(path);
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code, Errc::timeout);
  EXPECT_LT(took, std::chrono::seconds(2));
}

TEST(EngineClient, OnlyUnixSockets) {
  auto c = EngineClient::connect("tcp://127.0.0.1:2375", std::chrono::seconds(1));
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code, Errc::invalid_argument);
}

}  // namespace
}  // namespace ws::docker
