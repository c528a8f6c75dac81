#include "core/cron.h"

#include <charconv>
#include <ctime>
#include <string>
#include <vector>

namespace ws {
namespace {

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (start <= s.size()) {
    const std::size_t end = std::min(s.find(sep, start), s.size());
    out.push_back(s.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

bool number(std::string_view s, int& out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size() && !s.empty();
}

/// Sets the bits of `field` for one cron field within [lo, hi]; false when malformed.
template <std::size_t N>
bool parseField(std::string_view text, int lo, int hi, std::bitset<N>& bits) {
  for (auto part : split(text, ',')) {
    int step = 1, from = lo, to = hi;
    bool stepped = false;
    if (auto slash = part.find('/'); slash != std::string_view::npos) {
      if (!number(part.substr(slash + 1), step) || step < 1) return false;
      part = part.substr(0, slash);
      stepped = true;
    }
    if (part != "*") {
      if (auto dash = part.find('-'); dash != std::string_view::npos) {
        if (!number(part.substr(0, dash), from) || !number(part.substr(dash + 1), to)) return false;
      } else {
        if (!number(part, from)) return false;
        to = stepped ? hi : from;  // "a/n" runs from a to the end of the range
      }
    }
    if (from < lo || to > hi || from > to) return false;
    for (int v = from;; v += step) {  // stops before v + step could overflow (step may be INT_MAX)
      bits.set(static_cast<std::size_t>(v));
      if (to - v < step) break;
    }
  }
  return true;
}

}  // namespace

Result<CronSchedule> CronSchedule::parse(std::string_view expr) {
  std::vector<std::string_view> fields;
  for (auto f : split(expr, ' '))
    if (!f.empty()) fields.push_back(f);
  if (fields.size() != 5) return makeError(Errc::invalid_argument, "cron_expr needs five fields: minute hour day month weekday");
  CronSchedule c;
  std::bitset<8> weekdays;  // 0-7, 7 folded into 0
  if (!parseField(fields[0], 0, 59, c.minutes_) || !parseField(fields[1], 0, 23, c.hours_) ||
      !parseField(fields[2], 1, 31, c.days_) || !parseField(fields[3], 1, 12, c.months_) ||
      !parseField(fields[4], 0, 7, weekdays))
    return makeError(Errc::invalid_argument, "malformed cron_expr: " + std::string(expr));
  for (std::size_t d = 0; d < 7; ++d) c.weekdays_[d] = weekdays[d];
  if (weekdays[7]) c.weekdays_.set(0);
  c.any_day_ = fields[2] == "*";
  c.any_weekday_ = fields[4] == "*";
  return c;
}

std::chrono::system_clock::time_point CronSchedule::next(std::chrono::system_clock::time_point after) const {
  using namespace std::chrono;
  std::time_t t = system_clock::to_time_t(time_point_cast<minutes>(after) + minutes(1));
  const std::time_t limit = t + 8LL * 366 * 24 * 3600;
  while (t < limit) {
    std::tm tm{};
    gmtime_r(&t, &tm);
    const bool day_ok = any_day_ && any_weekday_   ? true
                        : any_day_                 ? weekdays_[static_cast<std::size_t>(tm.tm_wday)]
                        : any_weekday_             ? days_[static_cast<std::size_t>(tm.tm_mday)]
                                                   : days_[static_cast<std::size_t>(tm.tm_mday)] ||
                                               weekdays_[static_cast<std::size_t>(tm.tm_wday)];
    if (!months_[static_cast<std::size_t>(tm.tm_mon + 1)] || !day_ok) {
      t += (24 - tm.tm_hour) * 3600 - tm.tm_min * 60;  // the next day, 00:00
      continue;
    }
    if (!hours_[static_cast<std::size_t>(tm.tm_hour)]) {
      t += 3600 - tm.tm_min * 60;  // the next hour
      continue;
    }
    if (minutes_[static_cast<std::size_t>(tm.tm_min)]) return system_clock::from_time_t(t);
    t += 60;
  }
  return system_clock::time_point::max();
}

}  // namespace ws
