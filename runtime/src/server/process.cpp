#include "server/process.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fstream>

#include "core/util.h"

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

std::uint64_t raiseOpenFileLimit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return 0;
  if (limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &limit);
    ::getrlimit(RLIMIT_NOFILE, &limit);
  }
  return limit.rlim_cur;
}

void writePortFile(const std::string& path, std::uint16_t port) {
  std::ofstream(path + ".tmp") << port << "\n";
  std::rename((path + ".tmp").c_str(), path.c_str());
}

Result<int> lockDatabase(const std::string& db_path) {
  const std::string path = db_path + ".lock";
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return makeError(Errc::storage_error, "cannot open " + path + ": " + std::strerror(errno));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    char holder[256] = {};
    const auto n = ::pread(fd, holder, sizeof holder - 1, 0);
    ::close(fd);
    std::string who = n > 0 ? std::string(holder, static_cast<std::size_t>(n)) : "another process";
    while (!who.empty() && (who.back() == '\n' || who.back() == ' ')) who.pop_back();
    return makeError(Errc::conflict, "database " + db_path + " is in use by " + who + " (lock " + path + ")");
  }
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  const std::string me = "workspace-server pid " + std::to_string(::getpid()) + " on " + host + " since " + nowTime() + "\n";
  if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, me.data(), me.size(), 0) != static_cast<ssize_t>(me.size()))
    return makeError(Errc::storage_error, "cannot write " + path + ": " + std::strerror(errno));
  return fd;
}

Result<> loadOrCreateSecretFile(const std::string& path, std::string& value, bool& created) {
  created = false;
  if (std::ifstream in(path); in) {
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0 && (st.st_mode & 077) != 0)
      return makeError(Errc::forbidden, path + " is readable by other users: chmod 600 it");
    std::getline(in, value);
    if (value.size() < 16) return makeError(Errc::invalid_argument, path + " holds no usable secret (16 characters or more)");
    return {};
  }
  value = randomToken(32);
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return makeError(Errc::storage_error, "cannot create " + path + ": " + std::strerror(errno));
  const std::string line = value + "\n";
  const bool ok = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
  ::close(fd);
  if (!ok) return makeError(Errc::storage_error, "cannot write " + path);
  created = true;
  return {};
}

}  // namespace ws
