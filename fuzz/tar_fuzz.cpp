// Tar archives as workspaces send them: readTar over arbitrary bytes. What it reads is written
// back with makeTar and read again: the same entries come out.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string_view>

#include "core/tar.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto entries = ws::readTar(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!entries) return 0;
  auto written = ws::makeTar(*entries);
  if (!written) return 0;  // e.g. a path libarchive refuses to write
  auto again = ws::readTar(*written);
  if (!again) {
    std::fprintf(stderr, "makeTar wrote what readTar refuses: %s\n", again.error().message.c_str());
    __builtin_trap();
  }
  if (again->size() != entries->size()) {
    std::fprintf(stderr, "%zu entries read, %zu after a round trip\n", entries->size(), again->size());
    __builtin_trap();
  }
  for (std::size_t i = 0; i < entries->size(); ++i) {
    const auto& a = (*entries)[i];
    const auto& b = (*again)[i];
    if (a.path != b.path || a.content != b.content || a.directory != b.directory || a.mode != b.mode) {
      std::fprintf(stderr, "entry %zu differs: '%s' (%zu bytes, dir %d, mode %o) became '%s' (%zu bytes, dir %d, mode %o)\n",
                   i, a.path.c_str(), a.content.size(), a.directory, a.mode, b.path.c_str(), b.content.size(),
                   b.directory, b.mode);
      __builtin_trap();
    }
  }
  return 0;
}
