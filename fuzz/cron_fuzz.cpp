// Cron expressions: CronSchedule::parse, then next() from a few instants. A run found by
// next() is strictly later than its start, on a whole minute, and within the search window.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "core/cron.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace std::chrono;
  // The first 4 bytes (when present) choose a start instant between 1970 and about 2106.
  std::uint32_t start = 1767225600;  // 2026-01-01T00:00:00Z
  if (size >= 4) {
    std::memcpy(&start, data, 4);
    data += 4;
    size -= 4;
  }
  auto cron = ws::CronSchedule::parse(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!cron) return 0;
  system_clock::time_point after = system_clock::from_time_t(static_cast<std::time_t>(start)) + seconds(start % 60);
  for (int i = 0; i < 3; ++i) {
    const auto next = cron->next(after);
    if (next == system_clock::time_point::max()) break;
    if (next <= after) __builtin_trap();
    if (duration_cast<seconds>(next.time_since_epoch()).count() % 60 != 0) __builtin_trap();
    if (next - after > hours(24 * 366 * 8 + 24)) __builtin_trap();
    after = next;
  }
  return 0;
}
