#pragma once
// Five-field cron expressions (minute hour day-of-month month day-of-week), evaluated in UTC:
// "*", "a", "a-b", "*/n", "a-b/n" and comma lists; 7 is Sunday like 0. When both day fields
// are restricted, a day matching either one runs (as classic cron does).

#include <bitset>
#include <chrono>
#include <string_view>

#include "ws/errors.h"

namespace ws {

class CronSchedule {
 public:
  static Result<CronSchedule> parse(std::string_view expr);
  /// The first minute strictly after `after` that matches (within eight years).
  std::chrono::system_clock::time_point next(std::chrono::system_clock::time_point after) const;

 private:
  std::bitset<60> minutes_;
  std::bitset<24> hours_;
  std::bitset<32> days_;    ///< 1-31
  std::bitset<13> months_;  ///< 1-12
  std::bitset<7> weekdays_;
  bool any_day_ = true, any_weekday_ = true;
};

}  // namespace ws
