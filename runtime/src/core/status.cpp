#include "ws/status.h"

#include <array>
#include <utility>

namespace ws {
namespace {

constexpr std::array<std::pair<Status, std::string_view>, 10> kNames{{
    {Status::provisioning, "provisioning"},
    {Status::online, "online"},
    {Status::offline, "offline"},
    {Status::degraded, "degraded"},
    {Status::failed, "failed"},
    {Status::removed, "removed"},
    {Status::paused, "paused"},
    {Status::hibernating, "hibernating"},
    {Status::hibernated, "hibernated"},
    {Status::awaiting_agent, "awaiting_agent"},
}};

}  // namespace

std::string_view toString(Status s) noexcept {
  for (const auto& [status, name] : kNames)
    if (status == s) return name;
  return "unknown";
}

std::optional<Status> parseStatus(std::string_view s) noexcept {
  for (const auto& [status, name] : kNames)
    if (name == s) return status;
  return std::nullopt;
}

bool canTransition(Status from, Status to) noexcept {
  if (from == Status::removed) return false;  // terminal
  if (from == to) return false;
  switch (to) {
    case Status::degraded: return from == Status::online;
    case Status::hibernating: return isServing(from);
    case Status::hibernated: return from == Status::hibernating;
    case Status::offline:
      return isServing(from);
    case Status::awaiting_agent: return from == Status::provisioning;
    case Status::paused: return true;
    case Status::failed:
      return from == Status::provisioning || from == Status::awaiting_agent;
    default: return true;  // provisioning, online, removed: lifecycle actions from any live state
  }
}

}  // namespace ws
