#include "workspace_handler.h"

#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

namespace ws {

WorkspaceHandler::WorkspaceHandler(Lifecycle& lifecycle, Auth& auth, const ServerConfig& config,
                                   ProvisionerPtr controlplane, ProvisionerPtr docker)
    : lifecycle_(lifecycle),
      auth_(auth),
      config_(config),
      controlplane_(std::move(controlplane)),
      docker_(std::move(docker)) {}

WorkspaceHandler::~WorkspaceHandler() {
  drain();
  pool_.join();
}

void WorkspaceHandler::drain() {
  std::unique_lock lock(pending_mutex_);
  idle_.wait(lock, [this] { return pending_ == 0; });
}

bool WorkspaceHandler::hasProvisioner() const { return controlplane_ || docker_; }

void WorkspaceHandler::provisionWorkspaceAuto(const Workspace& w) {
  if (controlplane_) return provisionOn(controlplane_, w);
  if (docker_) return provisionOn(docker_, w);
  markFailed(w.id, kNoBackendReason);
}

Result<> WorkspaceHandler::stopWorkspaceAuto(const std::string& workspace_id) {
  if (controlplane_) return controlplane_->stop(workspace_id);
  if (docker_) return docker_->stop(workspace_id);
  return {};
}

void WorkspaceHandler::provisionOn(ProvisionerPtr backend, Workspace w) {
  {
    std::lock_guard lock(pending_mutex_);
    ++pending_;
  }
  boost::asio::post(pool_, [this, backend = std::move(backend), w = std::move(w)] {
    runProvision(*backend, w);
    std::lock_guard lock(pending_mutex_);
    if (--pending_ == 0) idle_.notify_all();
  });
}

void WorkspaceHandler::runProvision(Provisioner& backend, const Workspace& w) {
    // A fresh token per provision: the previous instance's token must stop working.
    if (auto r = lifecycle_.store().revokeAllTokens(w.id); !r) return markFailed(w.id, r.error().message);
    auto token = auth_.issueToken(w.id);
    if (!token) return markFailed(w.id, token.error().message);
    auto started = backend.start(buildConfig(w, *token));
    if (!started) {
      spdlog::warn("workspace {}: {} start failed: {}", w.id, backend.name(), started.error().message);
      return markFailed(w.id, "workspace start failed: " + started.error().message);
    }
    WorkspaceUpdate u;
    if (!started->url.empty()) u.url = started->url;
    if (!started->instance_id.empty()) u.instance_id = started->instance_id;
    if (u.url || u.instance_id) (void)lifecycle_.store().updateWorkspace(w.id, u);
    spdlog::info("workspace {}: started on {}", w.id, backend.name());
}

WorkspaceConfig WorkspaceHandler::buildConfig(const Workspace& w, const std::string& token) const {
  WorkspaceConfig c;
  c.workspace_id = w.id;
  c.runtime = w.runtime;
  c.tier = w.tier;
  c.platform_url = config_.platform_url;
  c.workspace_path = w.workspace_dir.value_or("");
  c.workspace_access = w.workspace_access;
  // JSON strings are valid YAML double-quoted scalars, so dump() quotes safely.
  const auto q = [](const std::string& s) { return nlohmann::json(s).dump(); };
  c.config_files["config.yaml"] = "name: " + q(w.name) + "\ndescription: " + q(w.role.value_or("")) +
                                  "\nversion: 1.0.0\ntier: " + std::to_string(w.tier) +
                                  "\nruntime: " + q(w.runtime) + "\nmodel: " + q(w.model) + "\n";
  c.config_files[".auth_token"] = token;
  return c;
}

void WorkspaceHandler::markFailed(const std::string& workspace_id, const std::string& reason) {
  auto r = lifecycle_.change(StatusChange{workspace_id, Status::failed, "WORKSPACE_PROVISION_FAILED",
                                          {{"error", reason}}, {}, std::nullopt, reason});
  if (!r) spdlog::error("workspace {}: cannot mark failed: {}", workspace_id, r.error().message);
}

}  // namespace ws
