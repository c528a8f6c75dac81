#pragma once
// Workspace status values and the transitions the runtime allows between them
// (runtime-spec section 5.2, with awaiting_agent and hibernating as real states).

#include <optional>
#include <string_view>

namespace ws {

enum class Status {
  provisioning,
  online,
  offline,
  degraded,
  failed,
  removed,
  paused,
  hibernating,
  hibernated,
  awaiting_agent,
};

std::string_view toString(Status s) noexcept;
std::optional<Status> parseStatus(std::string_view s) noexcept;

/// True when a workspace may move from `from` to `to`. removed is terminal; every other
/// status can be left by an explicit lifecycle action (restart, delete, ...).
bool canTransition(Status from, Status to) noexcept;

/// The agent has registered and its workload serves: online or degraded.
constexpr bool isServing(Status s) noexcept { return s == Status::online || s == Status::degraded; }

}  // namespace ws
