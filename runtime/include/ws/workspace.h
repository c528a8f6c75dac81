#pragma once
// The workspace record as the runtime sees it, independent of the database behind it.

#include <cstdint>
#include <optional>
#include <string>

#include "ws/status.h"

namespace ws {

struct Workspace {
  std::string id;
  std::string name;
  std::optional<std::string> role;
  int tier = 3;
  Status status = Status::provisioning;
  std::optional<std::string> agent_card;  ///< Raw JSON text as the agent sent it.
  std::string url;
  std::optional<std::string> parent_id;
  int active_tasks = 0;
  int max_concurrent_tasks = 1;
  double last_error_rate = 0;
  std::string last_sample_error;
  std::int64_t uptime_seconds = 0;
  std::string current_task;
  std::string runtime = "langgraph";
  std::string model;
  std::optional<std::string> template_id;  ///< The template it was created from (its files go to /configs).
  std::optional<std::string> workspace_dir;
  std::string workspace_access = "none";
  std::int64_t monthly_spend = 0;  ///< USD cents.
  std::optional<std::int64_t> budget_limit;
  std::string awareness_namespace;
  std::optional<std::string> instance_id;
  bool external = false;
  std::optional<std::string> last_heartbeat_at;
  std::optional<std::string> last_outbound_at;
  /// Minutes without work after which the hibernation sweep hibernates it; unset or 0: never.
  std::optional<int> hibernation_idle_minutes;
  /// The last heartbeat that reported active tasks.
  std::optional<std::string> last_active_at;
  std::string created_at;
  std::string updated_at;
  // Canvas layout.
  double x = 0;
  double y = 0;
  bool collapsed = false;
};

}  // namespace ws
