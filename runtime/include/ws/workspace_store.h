#pragma once
// Storage of the workspaces themselves: their rows, their place in the tree and the events of
// their lifecycle (runtime/include/ws/store.h has the whole store).

#include <cstdint>
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
  std::optional<std::optional<std::string>> template_id;
  std::optional<std::optional<std::string>> workspace_dir;
  std::optional<std::string> workspace_access;
  std::optional<std::string> url;
  std::optional<std::string> instance_id;
  std::optional<std::optional<std::string>> agent_card;
  std::optional<std::optional<std::int64_t>> budget_limit;  ///< USD cents; nullopt inside: no limit
  std::optional<std::optional<int>> hibernation_idle_minutes;  ///< nullopt inside: never hibernate
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

/// How many workspaces are in one status, managed or external.
struct WorkspaceCount {
  Status status = Status::online;
  bool external = false;
  std::int64_t count = 0;
};

/// A serving workspace with idle hibernation set and no active task: when it last worked.
struct IdleWorkspace {
  std::string id;
  int idle_minutes = 0;
  /// The latest of its last change of status or settings, its last heartbeat that reported
  /// work and its last activity row.
  std::string idle_since;
};

/// Identifies a workspace in tree queries.
struct WorkspaceRef {
  std::string id;
  std::string name;
};

/// Where the canvas was last looking: one viewport shared by every client.
struct Viewport {
  double x = 0;
  double y = 0;
  double zoom = 1;
  std::string saved_at;
};

class WorkspaceStore {
 public:
  virtual ~WorkspaceStore() = default;

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
  /// The workspaces not removed, counted by status and by managed/external.
  virtual Result<std::vector<WorkspaceCount>> countWorkspaces() = 0;
  virtual Result<bool> updateWorkspace(const std::string& id, const WorkspaceUpdate& u) = 0;
  virtual Result<bool> transition(const Transition& t) = 0;
  /// Writes the heartbeat's metrics and stamps last_heartbeat_at now: what liveness reads.
  virtual Result<bool> recordHeartbeat(const HeartbeatUpdate& h) = 0;
  /// Stamps last_heartbeat_at now, metrics untouched: a registration is a sign of life too.
  virtual Result<bool> touchHeartbeat(const std::string& id) = 0;
  /// Ids of online or degraded workspaces silent since `older_than` (timestamp): their last
  /// heartbeat is no later, or they never sent one. One indexed query (the liveness sweep).
  virtual Result<std::vector<std::string>> silentSince(const std::string& older_than) = 0;
  /// Online or degraded managed workspaces with hibernation_idle_minutes > 0 and no active task.
  virtual Result<std::vector<IdleWorkspace>> idleWorkspaces() = 0;
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

  // Canvas.
  /// The saved viewport; nothing before the first save.
  virtual Result<std::optional<Viewport>> viewport() = 0;
  virtual Result<> saveViewport(const Viewport& v) = 0;

  // Events.
  virtual Result<std::int64_t> appendEvent(const Event& e) = 0;
  /// The newest `limit` events (of one workspace, or all), newest first.
  virtual Result<std::vector<Event>> listEvents(const std::optional<std::string>& workspace_id,
                                                int limit) = 0;
};

}  // namespace ws
