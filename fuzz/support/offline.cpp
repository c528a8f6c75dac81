// Keeps fuzzing off the network, whatever an input names: linking this file replaces two C
// library functions for the whole executable.
//   getaddrinfo  numeric hosts only: a host name fails like an unknown name, no resolver query
//   connect      every IPv4/IPv6 connection is refused at once (agents, control plane)
// Code that calls out (the A2A proxy, agent URL checks) then takes its failure paths quickly.

#include <dlfcn.h>
#include <errno.h>
#include <netdb.h>
#include <sys/socket.h>

extern "C" int getaddrinfo(const char* node, const char* service, const struct addrinfo* hints,
                           struct addrinfo** res) {
  using Fn = int (*)(const char*, const char*, const struct addrinfo*, struct addrinfo**);
  static const Fn real = reinterpret_cast<Fn>(dlsym(RTLD_NEXT, "getaddrinfo"));
  if (!real) return EAI_FAIL;
  struct addrinfo numeric {};
  if (hints) numeric = *hints;
  numeric.ai_flags |= AI_NUMERICHOST;
  return real(node, service, &numeric, res);
}

extern "C" int connect(int fd, const struct sockaddr* addr, socklen_t len) {
  if (addr && (addr->sa_family == AF_INET || addr->sa_family == AF_INET6)) {
    errno = ECONNREFUSED;
    return -1;
  }
  using Fn = int (*)(int, const struct sockaddr*, socklen_t);
  static const Fn real = reinterpret_cast<Fn>(dlsym(RTLD_NEXT, "connect"));
  if (!real) {
    errno = ENOSYS;
    return -1;
  }
  return real(fd, addr, len);
}
