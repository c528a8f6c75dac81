#pragma once
// The narrow storage interface. Nothing above this layer knows which database it talks to;
// the embedded implementation is SQLite (runtime/src/store/sqlite), a PostgreSQL one can follow.
//
// Every method is thread-safe. Every mutation commits before it returns, so a caller may
// acknowledge it to a client.

#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "ws/errors.h"
#include "ws/status.h"
#include "ws/workspace.h"

namespace ws {

/// A partial update of a workspace; unset fields are left alone.
struct WorkspaceUpdate {
  std::optional<std::string> name;
  std::optional<std::optional<std::string>> role;
  std::optional<int> tier;
  std::optional<std::optional<std::string>> parent_id;
  std::optional<std::string> runtime;
  std::optional<std::optional<std::string>> workspace_dir;
  std::optional<std::string> workspace_access;
  std::optional<std::string> url;
  std::optional<std::string> instance_id;
  std::optional<std::optional<std::string>> agent_card;
  std::optional<std::optional<std::int64_t>> budget_limit;  ///< USD cents; nullopt inside: no limit
  std::optional<bool> collapsed;
  std::optional<double> x;
  std::optional<double> y;
};

/// A row of structure_events: every status change and lifecycle fact.
struct Event {
  std::int64_t id = 0;
  std::string event_type;
  std::optional<std::string> workspace_id;
  std::string payload = "{}";  ///< JSON object text.
  std::string created_at;
};

/// A guarded status change: applied only when the current status is in `from` (any live
/// status when empty). A change records `event` atomically.
struct Transition {
  std::string workspace_id;
  Status to = Status::provisioning;
  std::set<Status> from;
  std::string event_type;
  std::string event_payload = "{}";
  std::optional<std::string> url;                ///< Also set the URL (e.g. "" on stop).
  std::optional<std::string> last_sample_error;  ///< Also set the last error text.
};

/// Metrics reported by an agent's heartbeat.
struct HeartbeatUpdate {
  std::string workspace_id;
  double error_rate = 0;
  std::string sample_error;
  int active_tasks = 0;
  std::int64_t uptime_seconds = 0;
  std::string current_task;
  std::optional<std::int64_t> monthly_spend;
};

struct TokenRecord {
  std::string id;
  std::string workspace_id;
  std::string hash_hex;  ///< SHA-256 of the plaintext; the plaintext is never stored.
  std::string prefix;    ///< First 8 characters of the plaintext, for display.
  std::string created_at;
  std::optional<std::string> last_used_at;
};

/// A stored secret. The value is sealed (runtime/src/service/secret_box.h): ciphertext when
/// encryption_version is 1, plain bytes when 0. An empty workspace_id means a global secret.
struct SecretRecord {
  std::string workspace_id;
  std::string key;
  std::string value;
  int encryption_version = 0;
  std::string created_at;
  std::string updated_at;
};

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

/// Identifies a workspace in tree queries.
struct WorkspaceRef {
  std::string id;
  std::string name;
};

class Store {
 public:
  virtual ~Store() = default;

  // Workspaces.
  struct NewWorkspace {
    Workspace workspace;
    Event created;  ///< Recorded with the row.
  };
  /// Inserts every row with its event in one transaction: all or none.
  virtual Result<> insertWorkspaces(const std::vector<NewWorkspace>& rows) = 0;
  Result<> insertWorkspace(const Workspace& w, const Event& created) { return insertWorkspaces({{w, created}}); }
  virtual Result<std::optional<Workspace>> findWorkspace(const std::string& id) = 0;
  /// Non-removed workspaces, oldest first.
  virtual Result<std::vector<Workspace>> listWorkspaces() = 0;
  /// Workspaces in any of `statuses` (all statuses when empty), removed included if asked.
  virtual Result<std::vector<Workspace>> listByStatus(const std::set<Status>& statuses) = 0;
  virtual Result<bool> updateWorkspace(const std::string& id, const WorkspaceUpdate& u) = 0;
  virtual Result<bool> transition(const Transition& t) = 0;
  virtual Result<bool> recordHeartbeat(const HeartbeatUpdate& h) = 0;
  /// Ids of rows still provisioning whose updated_at is older than `older_than` (timestamp).
  virtual Result<std::vector<std::string>> provisioningSince(const std::string& older_than) = 0;

  // Tree.
  virtual Result<std::vector<WorkspaceRef>> children(const std::string& id) = 0;
  /// All non-removed descendants, parents before children.
  virtual Result<std::vector<WorkspaceRef>> descendants(const std::string& id) = 0;
  /// Marks the ids removed (with one event each), drops their layouts and revokes tokens.
  virtual Result<> markRemoved(const std::vector<std::string>& ids, const std::vector<Event>& events) = 0;
  /// Deletes the rows and everything that hangs off them (events are kept).
  virtual Result<> purge(const std::vector<std::string>& ids) = 0;

  // Events.
  virtual Result<std::int64_t> appendEvent(const Event& e) = 0;
  virtual Result<std::vector<Event>> listEvents(const std::optional<std::string>& workspace_id,
                                                int limit) = 0;

  // Tokens.
  virtual Result<> insertToken(const TokenRecord& t) = 0;
  virtual Result<std::vector<TokenRecord>> liveTokens(const std::string& workspace_id) = 0;
  virtual Result<bool> hasLiveToken(const std::string& workspace_id) = 0;
  virtual Result<bool> anyLiveToken() = 0;
  /// The live token with this hash whose workspace is not removed.
  virtual Result<std::optional<TokenRecord>> findLiveToken(const std::string& hash_hex) = 0;
  virtual Result<bool> revokeToken(const std::string& workspace_id, const std::string& token_id) = 0;
  virtual Result<> revokeAllTokens(const std::string& workspace_id) = 0;
  virtual Result<> touchToken(const std::string& token_id) = 0;

  // Secrets. An empty workspace_id addresses the global secrets.
  /// Names of the global secrets (values are never read here).
  virtual Result<std::set<std::string>> globalSecretKeys() = 0;
  /// Inserts or replaces the value (created_at of an existing key is kept).
  virtual Result<> putSecret(const SecretRecord& s) = 0;
  virtual Result<bool> deleteSecret(const std::string& workspace_id, const std::string& key) = 0;
  /// Ordered by key.
  virtual Result<std::vector<SecretRecord>> listSecrets(const std::string& workspace_id) = 0;

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

  // Memories.
  virtual Result<> insertMemory(const MemoryRecord& m) = 0;
  /// Newest first.
  virtual Result<std::vector<MemoryRecord>> listMemories(const MemoryFilter& f) = 0;
  virtual Result<bool> deleteMemory(const std::string& workspace_id, const std::string& id) = 0;

  // Activity.
  virtual Result<std::int64_t> insertActivity(const ActivityRecord& a) = 0;
  virtual Result<std::vector<ActivityRecord>> listActivity(const ActivityFilter& f) = 0;
};

using StorePtr = std::unique_ptr<Store>;

/// Opens (creating if needed) the SQLite database at `path` and applies pending migrations.
Result<StorePtr> openSqliteStore(const std::string& path);

}  // namespace ws
