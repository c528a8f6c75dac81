#include "process.h"

#include <csignal>
#include <cstdio>
#include <fstream>

namespace ws {
namespace {

sigset_t shutdownSignals() {
  sigset_t s;
  sigemptyset(&s);
  sigaddset(&s, SIGINT);
  sigaddset(&s, SIGTERM);
  return s;
}

}  // namespace

void blockShutdownSignals() {
  const sigset_t s = shutdownSignals();
  pthread_sigmask(SIG_BLOCK, &s, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
}

const char* waitForShutdownSignal() {
  const sigset_t s = shutdownSignals();
  int received = 0;
  sigwait(&s, &received);
  return received == SIGINT ? "SIGINT" : "SIGTERM";
}

void writePortFile(const std::string& path, std::uint16_t port) {
  std::ofstream(path + ".tmp") << port << "\n";
  std::rename((path + ".tmp").c_str(), path.c_str());
}

}  // namespace ws
