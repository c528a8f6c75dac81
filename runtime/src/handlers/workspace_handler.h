#pragma once
// WorkspaceHandler owns the wired backends and is the only place that calls them: one
// dispatcher per verb. Each dispatcher routes to the control plane when it is wired, then to
// Docker, then to its documented no-backend fallback. Handlers, sweeps and bulk paths call
// these dispatchers and never a backend directly.

#include <boost/asio/thread_pool.hpp>

#include <condition_variable>
#include <mutex>
#include <string>

#include "../auth/auth.h"
#include "../core/lifecycle.h"
#include "ws/config.h"
#include "ws/provisioner.h"
#include "ws/workspace.h"

namespace ws {

class WorkspaceHandler {
 public:
  /// Either backend may be null; at most one is normally wired.
  WorkspaceHandler(Lifecycle& lifecycle, Auth& auth, const ServerConfig& config,
                   ProvisionerPtr controlplane, ProvisionerPtr docker);
  ~WorkspaceHandler();

  /// Whether any backend is wired. The only place that asks "are both backends null?".
  bool hasProvisioner() const;

  /// Starts the workspace in the background; it reports in via /registry/register.
  /// No backend: the workspace is marked failed with a reason.
  void provisionWorkspaceAuto(const Workspace& w);

  /// Stops the workspace's backend resources. Idempotent.
  /// No backend: there is nothing to stop; succeeds.
  Result<> stopWorkspaceAuto(const std::string& workspace_id);

  /// Waits until background provisioning work has finished (used at shutdown and in tests).
  void drain();

 private:
  void provisionOn(ProvisionerPtr backend, Workspace w);
  void runProvision(Provisioner& backend, const Workspace& w);
  WorkspaceConfig buildConfig(const Workspace& w, const std::string& token) const;
  void markFailed(const std::string& workspace_id, const std::string& reason);

  Lifecycle& lifecycle_;
  Auth& auth_;
  const ServerConfig& config_;
  ProvisionerPtr controlplane_;
  ProvisionerPtr docker_;
  boost::asio::thread_pool pool_{2};
  std::mutex pending_mutex_;
  std::condition_variable idle_;
  int pending_ = 0;
};

/// The reason recorded on a workspace created while no backend is wired.
inline constexpr const char* kNoBackendReason =
    "no workspace backend is configured: start workspace-server with a reachable Docker Engine "
    "or a control plane (MOLECULE_ORG_ID) to run agents";

}  // namespace ws
