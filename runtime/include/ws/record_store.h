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
  std::optional<std::string> idempotency_key;  ///< Unique per workspace while a row holds it.
};

struct ActivityFilter {
  std::string workspace_id;
  std::optional<std::string> type;
  std::optional<bool> from_agent;  ///< true: source_id set; false: canvas (no source).
  std::optional<std::string> peer_id;    ///< source_id or target_id equals this id.
  std::optional<std::string> before_ts;  ///< Strictly older than this timestamp.
  int limit = 100;
  std::vector<std::string> methods;      ///< Any of these methods (empty: any method).
  std::optional<std::int64_t> after_id;  ///< Rows with a larger id only.
  bool oldest_first = false;             ///< Ascending by id rather than newest first.
};

/// The A2A rows (a2a_send, a2a_receive) between two workspaces: sent by one to the other, either
/// way, and held in the log of one of the two.
struct ConversationFilter {
  std::string self;
  std::string peer;
  std::optional<std::string> before_ts;  ///< Strictly older than this timestamp.
  int limit = 20;
};

/// What insertKeyedActivity did: inserted `id`, or found the live row holding the key.
struct KeyedInsert {
  std::int64_t id = 0;
  std::optional<ActivityRecord> existing;
};

/// One hit of a session search: an activity row or a memory of the workspace.
struct SessionItem {
  std::string kind;  ///< "activity" | "memory"
  std::string id;
  std::string workspace_id;
  std::string label;  ///< The activity type, or the memory's scope.
  std::string content;
  std::string method;
  std::string status;
  std::optional<std::string> request_body;   ///< JSON text.
  std::optional<std::string> response_body;  ///< JSON text.
  std::string created_at;
};

/// A request of an agent for a human decision.
struct ApprovalRecord {
  std::string id;
  std::string workspace_id;
  std::string task_id;
  std::string action;
  std::string reason;
  std::string context = "{}";  ///< A JSON object, as text.
  std::string status = "pending";  ///< pending | approved | denied
  std::optional<std::string> decided_by;
  std::optional<std::string> decided_at;
  std::string created_at;
  std::string workspace_name;  ///< Filled by listPendingApprovals only.
};

/// One key of a workspace's key-value memory.
struct KvEntry {
  std::string key;
  std::string value;  ///< JSON text.
  std::int64_t version = 1;
  std::optional<std::string> expires_at;
  std::string updated_at;
};

/// A write to the key-value memory.
struct KvWrite {
  std::string workspace_id;
  std::string key;
  std::string value;  ///< JSON text.
  std::optional<std::string> expires_at;
  std::optional<std::int64_t> if_match_version;  ///< 0: the key must not exist yet.
  std::string now;  ///< Entries that expired by then count as absent.
  std::size_t max_keys = 0;  ///< A new key beyond this many live ones is refused.
};

/// What putKv did.
struct KvOutcome {
  enum Kind { written, version_mismatch, too_many_keys } kind = written;
  std::int64_t version = 0;                     ///< written: the new version.
  std::optional<std::int64_t> current_version;  ///< version_mismatch: the live one, if any.
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

/// A memory with the name of its workspace, as the admin export lists it.
struct NamedMemory {
  MemoryRecord memory;
  std::string workspace_name;
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
  /// Queues `a` to be written behind the caller, with others in one transaction, within a few
  /// milliseconds; every activity read or write that starts later sees it. For a hot path that
  /// needs no id back. A process crash loses what was queued in that window (docs/operations.md).
  virtual void appendActivity(ActivityRecord a) = 0;
  virtual Result<std::vector<ActivityRecord>> listActivity(const ActivityFilter& f) = 0;
  /// Newest first.
  virtual Result<std::vector<ActivityRecord>> listConversation(const ConversationFilter& f) = 0;
  /// Inserts `a`, whose idempotency key is set, unless a row of its workspace holds that key:
  /// then that row comes back and nothing is inserted. A row whose status is `failed` gives
  /// its key up to the new one (a failed attempt may be retried under the same key).
  virtual Result<KeyedInsert> insertKeyedActivity(const ActivityRecord& a) = 0;
  /// The `delegate` row of `delegation_id` (its request body's delegation_id) in the workspace.
  virtual Result<std::optional<ActivityRecord>> findDelegation(const std::string& workspace_id,
                                                               const std::string& delegation_id) = 0;
  /// Sets the status (and, when not empty, the error detail) of that row; false when none.
  virtual Result<bool> setDelegationStatus(const std::string& workspace_id, const std::string& delegation_id,
                                           const std::string& status, const std::string& error_detail) = 0;
  /// Marks the pending `delegate` row of a delegation this server sends itself as dispatched
  /// (by the server); false when it is not pending.
  virtual Result<bool> dispatchDelegation(const std::string& workspace_id, const std::string& delegation_id) = 0;
  /// Fails, with `error`, every delegation recorded before `started_before` that a server left in
  /// flight: `delegate` rows still pending, or dispatched by the server itself. Returns those
  /// rows as they were.
  virtual Result<std::vector<ActivityRecord>> failInterruptedDelegations(const std::string& error,
                                                                         const std::string& started_before) = 0;
  /// The workspace's activity rows and own memories whose text fields contain `query`
  /// (case-insensitively; every row when empty), newest first.
  virtual Result<std::vector<SessionItem>> searchSession(const std::string& workspace_id, const std::string& query,
                                                         int limit) = 0;

  // Admin memory backup.
  /// Every memory of a workspace not removed, oldest first, with the workspace's name.
  virtual Result<std::vector<NamedMemory>> listAllMemories() = 0;
  /// Whether the workspace holds a memory with exactly this content and scope.
  virtual Result<bool> hasMemory(const std::string& workspace_id, const std::string& content, const std::string& scope) = 0;

  // Approvals.
  virtual Result<> insertApproval(const ApprovalRecord& a) = 0;
  /// The workspace's approvals, newest first.
  virtual Result<std::vector<ApprovalRecord>> listApprovals(const std::string& workspace_id, int limit) = 0;
  /// Pending approvals of workspaces not removed, newest first, with the workspace's name.
  virtual Result<std::vector<ApprovalRecord>> listPendingApprovals(int limit) = 0;
  /// Decides a pending approval of the workspace; false when there is none.
  virtual Result<bool> decideApproval(const std::string& workspace_id, const std::string& id, const std::string& decision,
                                      const std::string& decided_by, const std::string& decided_at) = 0;
  /// Denies, as decided by `decided_by`, every approval still pending that was created before
  /// `created_before`; returns how many.
  virtual Result<int> expireApprovals(const std::string& created_before, const std::string& decided_by,
                                      const std::string& decided_at) = 0;

  // Key-value memory. Entries that expired by `now` are absent.
  /// The live entries of the workspace, by key.
  virtual Result<std::vector<KvEntry>> listKv(const std::string& workspace_id, const std::string& now) = 0;
  virtual Result<std::optional<KvEntry>> getKv(const std::string& workspace_id, const std::string& key,
                                               const std::string& now) = 0;
  /// Writes atomically: an upsert without `if_match_version`, else only when the live version
  /// matches (0: only when the key is absent).
  virtual Result<KvOutcome> putKv(const KvWrite& w) = 0;
  /// False when the key was absent.
  virtual Result<bool> deleteKv(const std::string& workspace_id, const std::string& key) = 0;
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
