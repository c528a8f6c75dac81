#pragma once
// SQL text both stores build the same way.

#include <set>
#include <string>

#include "ws/status.h"

namespace ws {

/// "'online','degraded'": a status list for `status IN (...)`. Names come from the enum, never
/// from a caller, so they are safe to inline.
inline std::string sqlStatusList(const std::set<Status>& statuses) {
  std::string out;
  for (Status s : statuses) {
    if (!out.empty()) out += ",";
    out += "'" + std::string(toString(s)) + "'";
  }
  return out;
}

}  // namespace ws
