// The parity annotation scanner over arbitrary source text, with the macro names the parity
// tool watches. Every call it returns names a watched macro on a line of the input.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>

#include "scanner.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::set<std::string, std::less<>> kNames = {"PARITY_AREA", "PARITY_FEATURE", "PARITY_IMPL",
                                                            "PARITY_UNSUPPORTED", "PARITY_DIVERGES",
                                                            "PARITY_UNBUILT", "CONTRACT_SCENARIO"};
  const std::string_view source(reinterpret_cast<const char*>(data), size);
  const long lines = 1 + std::count(source.begin(), source.end(), '\n');
  for (const auto& call : parity::scanMacroCalls(source, kNames)) {
    if (!kNames.contains(call.name)) __builtin_trap();
    if (call.line < 1 || call.line > lines) __builtin_trap();
  }
  return 0;
}
