#pragma once
// The workspace service: the use cases of a workspace's life (provision, restart, pause,
// resume, hibernate, teardown, mark dead and restart) over the wired backends. It owns the
// backends and is the only place that calls them: one dispatcher per verb (the *Auto methods).
// Each dispatcher routes to the control plane when it is wired, then to Docker, then to its
// documented no-backend fallback. Handlers and sweeps call the service, never a backend.

#include <boost/asio/thread_pool.hpp>

#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "service/credentials.h"
#include "service/lifecycle.h"
#include "service/metrics.h"
#include "service/secrets.h"
#include "service/templates.h"
#include "ws/config.h"
#include "ws/provisioner.h"
#include "ws/store.h"
#include "ws/workspace.h"

namespace ws {

class WorkspaceService {
 public:
  /// Either backend may be null; at most one is normally wired. `metrics` (optional) counts
  /// provisioning times and failed backend calls.
  WorkspaceService(Lifecycle& lifecycle, Credentials& credentials, const ServerConfig& config,
                   ProvisionerPtr controlplane, ProvisionerPtr docker,
                   Metrics* metrics = nullptr);
  ~WorkspaceService();

  /// Whether any backend is wired. The only place that asks "are both backends null?".
  bool hasProvisioner() const;
  /// The wired backend's name ("controlplane", "docker"), or "none".
  std::string backendName() const;

  /// Starts the workspace in the background; it reports in via /registry/register.
  /// No backend: the workspace is marked failed with a reason.
  void provisionWorkspaceAuto(const Workspace& w);
  /// Stops the workspace's backend resources. Idempotent. No backend: nothing to stop.
  Result<> stopWorkspaceAuto(const std::string& workspace_id);
  /// Stop, then provision again from the database row (its runtime, tier, ...).
  /// No backend: backend_unavailable.
  Result<> restartWorkspaceAuto(const Workspace& w);
  /// Stops a workspace that is being paused. No backend: nothing to stop.
  Result<> pauseWorkspaceAuto(const std::string& workspace_id);
  /// Provisions a paused workspace again. No backend: backend_unavailable.
  Result<> resumeWorkspaceAuto(const Workspace& w);
  /// Stops a workspace that is being hibernated. No backend: nothing to stop.
  Result<> hibernateWorkspaceAuto(const std::string& workspace_id);
  /// Alive-on-uncertainty liveness. No backend: alive, with backend_unavailable.
  Liveness isRunningAuto(const std::string& workspace_id);
  /// Container logs or serial console. No backend: backend_unavailable.
  Result<std::string> bootLogAuto(const std::string& workspace_id);
  /// No backend: backend_unavailable.
  Result<ExecResult> execAuto(const std::string& workspace_id, const std::vector<std::string>& argv,
                              const std::string& stdin_data);
  /// No backend: backend_unavailable.
  Result<std::string> readArchiveAuto(const std::string& workspace_id, const std::string& path);
  /// No backend: backend_unavailable.
  Result<> writeArchiveAuto(const std::string& workspace_id, const std::string& path, const std::string& tar);
  /// An interactive shell in the workspace. No backend: backend_unavailable.
  Result<TerminalPtr> openTerminalAuto(const std::string& workspace_id);
  /// Everything the backend manages, for the orphan sweep. No backend: nothing.
  Result<std::vector<std::string>> listManagedAuto();
  /// Deletes the workspace's volumes. No backend: nothing to delete.
  Result<> removeVolumesAuto(const std::string& workspace_id);

  /// The workspace `id` unless removed: invalid_argument for a malformed id, not_found when
  /// unknown or removed.
  Result<Workspace> findLive(const std::string& id);
  /// findLive for what reaches a workload: conflict for an external workspace, whose agent
  /// runs elsewhere.
  Result<Workspace> findManaged(const std::string& id);

  // ---- Use cases ---------------------------------------------------------------------------

  /// A workspace to create: its row (status provisioning, or online for an agent adopted at
  /// registration), the payload of its creation event, and what comes with it.
  struct NewWorkspace {
    Workspace row;
    nlohmann::json event = nlohmann::json::object();
    std::vector<std::pair<std::string, std::string>> secrets;
    std::vector<MemoryRecord> memories;
    /// Files it carries itself (relative path -> content), delivered into /configs after its
    /// template's at every provision.
    std::map<std::string, std::string> files;
    std::vector<ScheduleRecord> schedules;
    std::vector<PluginInstall> plugins;
  };
  /// What create does with managed workspaces when no backend is wired.
  enum class WithoutBackend {
    mark_failed,  ///< Record them, marked failed with the reason (a single create).
    refuse,       ///< Record nothing: backend_unavailable (an org import, all or nothing).
  };
  /// The one way workspaces come to be (single create, team expand, org import, adoption):
  /// every row with its creation event in one transaction, the events published, secrets,
  /// memories, files, schedules and plugins stored, then each brought up: a managed one is provisioned on the backend, an
  /// external one goes online at its URL or awaits its agent.
  Result<> create(std::vector<NewWorkspace> batch, WithoutBackend without_backend = WithoutBackend::mark_failed);

  /// Called with a workspace's id after a provision revoked its tokens (set before use).
  void onTokensRevoked(std::function<void(const std::string&)> callback) { tokens_revoked_ = std::move(callback); }

  /// Restarts a workspace from its database row: conflict under a paused ancestor,
  /// backend_unavailable without a backend.
  Result<> restart(const Workspace& w);
  /// What a team-wide action did: how many it changed, and the backend calls that failed.
  struct TeamOutcome {
    int changed = 0;
    std::vector<std::string> failures;
  };
  /// Pauses the workspace and its descendants (not_found when already paused).
  Result<TeamOutcome> pause(const Workspace& w);
  /// Resumes the paused workspace and its paused descendants (not_found when not paused,
  /// conflict under a paused ancestor, backend_unavailable without a backend).
  Result<TeamOutcome> resume(const Workspace& w);
  /// Hibernates a serving workspace (not_found otherwise); conflict while it has active tasks
  /// unless `force`, or when its status moved meanwhile.
  Result<> hibernate(const Workspace& w, bool force);
  /// Marks the workspaces removed (one WORKSPACE_REMOVED event each, with `payloads`), then
  /// stops their workloads and deletes their volumes. The rows are removed whatever the
  /// backend says; the stops that failed are returned, for the caller to retry.
  Result<TeamOutcome> teardown(const std::vector<std::string>& ids, const std::vector<nlohmann::json>& payloads);

  /// The backend says the workload of an online or degraded workspace is gone: mark it offline
  /// (WORKSPACE_OFFLINE with `reason`) and restart it. False when the workspace had already
  /// moved on.
  bool markDeadAndRestart(const std::string& workspace_id, const std::string& reason);

  /// The workspace and global secrets, opened into each workspace's start environment.
  Secrets& secrets() { return secrets_; }

  /// Runs `work` on the provisioning pool (drain() waits for it too).
  void runInBackground(std::function<void()> work) { submit(std::move(work)); }

  /// Restarts in the background unless a restart of this workspace is already running. Paused
  /// and hibernated workspaces stay as they are.
  void restartInBackground(const std::string& workspace_id);
  /// Provisions a hibernated workspace again, in the background (a message for it arrived);
  /// any other status is left alone.
  void wakeInBackground(const std::string& workspace_id);
  /// At start: rows still `provisioning` were in flight when the server stopped; they are
  /// provisioned again now rather than left to the provision timeout.
  void redriveInterruptedProvisions();
  /// Waits until background provisioning work has finished (used at shutdown and in tests).
  void drain();

 private:
  /// The backend a dispatcher routes to: the control plane first, then Docker.
  Provisioner* active() const;
  void provisionOn(Provisioner& backend, Workspace w);
  void runProvision(Provisioner& backend, const Workspace& w);
  /// The nearest paused ancestor of `w`, if any.
  Result<std::optional<Workspace>> pausedAncestor(const Workspace& w);
  Result<> refuseUnderPausedParent(const Workspace& w);
  /// What the backend needs to start `w`: its config files, token and secrets.
  Result<WorkspaceConfig> buildConfig(const Workspace& w, const std::string& token);
  void markFailed(const std::string& workspace_id, const std::string& reason);
  /// The template whose files a provision of `w` delivers: its own, else its runtime's
  /// "<runtime>-default" when that exists.
  std::optional<Template> templateOf(const Workspace& w) const;
  /// Lays the workspace's own files over `config_files`; its config.yaml gets its identity.
  Result<> ownFiles(const Workspace& w, std::map<std::string, std::string>& config_files);
  /// Backend operations on an external workspace (self-registered, running anywhere) are a
  /// conflict: it has no workload here, and its id must not reach another's.
  Result<> requireManaged(const std::string& workspace_id);
  static Error externalError(const std::string& workspace_id);
  void submit(std::function<void()> work);
  // Passes a backend call's outcome through, counting it when the backend failed.
  template <class T>
  T counted(const Provisioner& backend, const char* operation, T result) {
    if (!result) noteBackendError(backend, operation, result.error());
    return result;
  }
  Liveness counted(const Provisioner& backend, const char* operation, Liveness alive) {
    if (alive.error) noteBackendError(backend, operation, *alive.error);
    return alive;
  }
  void noteBackendError(const Provisioner& backend, const char* operation, const Error& e);
  // The background restart behind restartInBackground and wakeInBackground, for rows whose
  // status is `eligible` (never removed or external ones).
  void restartInBackgroundWhen(const std::string& workspace_id, const char* reason, bool (*eligible)(Status));

  Lifecycle& lifecycle_;
  Credentials& credentials_;
  std::function<void(const std::string&)> tokens_revoked_;
  const ServerConfig& config_;
  ProvisionerPtr controlplane_;
  ProvisionerPtr docker_;
  Metrics* metrics_;
  Secrets secrets_;
  boost::asio::thread_pool pool_{4};
  std::mutex mutex_;
  std::condition_variable idle_;
  int pending_ = 0;
  std::set<std::string> restarting_;
};

/// The reason recorded on a workspace created while no backend is wired.
inline constexpr const char* kNoBackendReason =
    "no workspace backend is configured: start workspace-server with a reachable Docker Engine "
    "or a control plane (MOLECULE_ORG_ID) to run agents";

}  // namespace ws
