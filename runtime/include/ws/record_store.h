#pragma once
// Storage of what a workspace accumulates: installed plugins, schedules, memories and activity.

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ws/errors.h"

namespace ws {

/// A plugin installed in a workspace; its files come from the plugin registry at each provision.
struct PluginInstall {
  std::string workspace_id;
  std::string name;
  std::string source;  ///< e.g. local://echo-skill
  std::string installed_at;
};

struct ActivityRecord {
  std::int64_t id = 0;
  std::string workspace_id;
  std::string activity_type;
  std::optional<std::string> source_id;
  std::optional<std::string> target_id;
  std::string method;
  std::string summary;
  std::optional<std::string> request_body;   ///< JSON text.
  std::optional<std::string> response_body;  ///< JSON text.
  std::optional<std::string> tool_trace;     ///< JSON text.
  std::optional<std::int64_t> duration_ms;
  std::string status = "ok";
  std::string error_detail;
  std::string created_at;
};

struct ActivityFilter {
  std::string workspace_id;
  std::optional<std::string> type;
  std::optional<bool> from_agent;  ///< true: source_id set; false: canvas (no source).
  std::optional<std::string> peer_id;    ///< source_id or target_id equals this id.
  std::optional<std::string> before_ts;  ///< Strictly older than this timestamp.
  int limit = 100;
};

/// A memory (runtime-spec 6.3 "Memories"). Content is stored redacted.
struct MemoryRecord {
  std::string id;
  std::string workspace_id;
  std::string content;
  std::string scope;  ///< LOCAL | TEAM | GLOBAL
  std::string memory_namespace;
  std::string created_at;
};

struct MemoryFilter {
  std::vector<std::string> local_of;   ///< LOCAL and TEAM rows of these workspaces...
  std::vector<std::string> team_of;    ///< ...TEAM rows of these...
  bool global = true;                  ///< ...and every GLOBAL row.
  std::optional<std::string> scope;
  std::optional<std::string> query;    ///< Substring of the content (case-insensitive).
  std::optional<std::string> memory_namespace;
  int limit = 50;
};

/// A cron schedule of a workspace (runtime-spec 6.3 "Schedules").
struct ScheduleRecord {
  std::string id;
  std::string workspace_id;
  std::string name;
  std::string cron_expr;
  std::string timezone = "UTC";
  std::string prompt;
  bool enabled = true;
  std::optional<std::string> last_run_at;
  std::optional<std::string> next_run_at;
  std::int64_t run_count = 0;
  std::string last_status;
  std::string last_error;
  std::string source = "runtime";
  std::string created_at;
  std::string updated_at;
};

/// A schedule with the name of its workspace: the operators' overview of every schedule.
struct ScheduleOverview {
  ScheduleRecord schedule;
  std::string workspace_name;
};

/// LLM token usage of a workspace over one period (a UTC day), from its agents' A2A answers.
struct TokenUsage {
  std::int64_t input_tokens = 0;
  std::int64_t output_tokens = 0;
  std::int64_t call_count = 0;
  std::int64_t estimated_cost_micros = 0;  ///< Micro-USD: exact sums, rendered with six decimals.
};

class RecordStore {
 public:
  virtual ~RecordStore() = default;

  // Plugins.
  /// Inserts or replaces the install of `p.name` in `p.workspace_id`.
  virtual Result<> addPlugin(const PluginInstall& p) = 0;
  virtual Result<bool> removePlugin(const std::string& workspace_id, const std::string& name) = 0;
  /// Ordered by name.
  virtual Result<std::vector<PluginInstall>> listPlugins(const std::string& workspace_id) = 0;

  // Schedules.
  /// Inserts or replaces by id; conflict when the workspace already has another of that name.
  virtual Result<> putSchedule(const ScheduleRecord& s) = 0;
  virtual Result<bool> deleteSchedule(const std::string& workspace_id, const std::string& id) = 0;
  /// One workspace's schedules by name, or ("") every enabled schedule of a live workspace.
  virtual Result<std::vector<ScheduleRecord>> listSchedules(const std::string& workspace_id) = 0;
  /// Every schedule, enabled or not, of every workspace not removed: by workspace name, then name.
  virtual Result<std::vector<ScheduleOverview>> listAllSchedules() = 0;

  // Memories.
  virtual Result<> insertMemory(const MemoryRecord& m) = 0;
  /// Newest first.
  virtual Result<std::vector<MemoryRecord>> listMemories(const MemoryFilter& f) = 0;
  virtual Result<bool> deleteMemory(const std::string& workspace_id, const std::string& id) = 0;

  // Config documents (a JSON object per workspace, kept for the canvas).
  /// The workspace's document as JSON text; nothing when it has none.
  virtual Result<std::optional<std::string>> workspaceConfig(const std::string& workspace_id) = 0;
  /// Sets each top-level key of the JSON object `patch` in the workspace's document (creating
  /// it), atomically. too_large when the result would exceed `max_bytes`; not_found when the
  /// workspace does not exist.
  virtual Result<> mergeWorkspaceConfig(const std::string& workspace_id, const std::string& patch,
                                        std::size_t max_bytes) = 0;

  // Files a workspace carries itself (from a bundle), delivered into /configs at every provision.
  /// Replaces every file of the workspace with `files` (relative path -> content).
  virtual Result<> putWorkspaceFiles(const std::string& workspace_id, const std::map<std::string, std::string>& files) = 0;
  virtual Result<std::map<std::string, std::string>> workspaceFiles(const std::string& workspace_id) = 0;
  // Activity.
  virtual Result<std::int64_t> insertActivity(const ActivityRecord& a) = 0;
  virtual Result<std::vector<ActivityRecord>> listActivity(const ActivityFilter& f) = 0;
  /// Deletes every activity row older than `older_than` (a timestamp); how many went.
  virtual Result<std::int64_t> purgeActivityBefore(const std::string& older_than) = 0;

  // Token usage.
  /// Adds `delta` to the usage of `workspace_id` in the period starting at `period_start`.
  virtual Result<> addTokenUsage(const std::string& workspace_id, const std::string& period_start,
                                 const TokenUsage& delta) = 0;
  /// The usage of that period: zeros when nothing was recorded.
  virtual Result<TokenUsage> tokenUsage(const std::string& workspace_id, const std::string& period_start) = 0;
};

}  // namespace ws
