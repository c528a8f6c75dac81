// Agent URL validation (register, external create, A2A delivery): resolveAgentUrl over the URL
// and refusedAddress over the raw text. Linked with support/offline.cpp: a host name is never
// looked up, only IP literals (and "localhost") resolve. The first byte chooses the policy.
// Properties: an accepted URL has addresses, each of which the policy accepts, and a URL the
// strict policy accepts is accepted by every looser one.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "service/validation.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const ws::UrlPolicy policy{(data[0] & 1) != 0, (data[0] & 2) != 0};
  const std::string_view url(reinterpret_cast<const char*>(data) + 1, size - 1);
  (void)ws::refusedAddress(url, policy);
  auto endpoint = ws::resolveAgentUrl(url, policy);
  if (!endpoint) return 0;
  if (endpoint->addresses.empty()) {
    std::fprintf(stderr, "accepted with no address: %.*s\n", static_cast<int>(url.size()), url.data());
    __builtin_trap();
  }
  for (const auto& a : endpoint->addresses) {
    if (auto why = ws::refusedAddress(a, policy)) {
      std::fprintf(stderr, "accepted %.*s but its address %s is refused: %s\n", static_cast<int>(url.size()),
                   url.data(), a.c_str(), why->c_str());
      __builtin_trap();
    }
  }
  if (!policy.allow_loopback && !policy.allow_private) {
    for (const ws::UrlPolicy looser : {ws::UrlPolicy{true, false}, ws::UrlPolicy{false, true}, ws::UrlPolicy{true, true}})
      if (!ws::resolveAgentUrl(url, looser)) {
        std::fprintf(stderr, "accepted by the strict policy, refused by a looser one: %.*s\n",
                     static_cast<int>(url.size()), url.data());
        __builtin_trap();
      }
  }
  return 0;
}
