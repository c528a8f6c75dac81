#pragma once
// The Docker backend: one container per workspace on a Docker Engine, driven through the
// Engine API (never the docker CLI).
//
// Names: container ws-<id>, volumes ws-<id>-configs and ws-<id>-workspace (the full id, so no
// two workspaces can share one), all labelled molecule.platform.managed=true,
// molecule.platform.instance=<instance> and molecule.workspace.id=<id>; found by the labels.

#include <chrono>
#include <atomic>
#include <map>
#include <mutex>
#include <string>

#include "backends/docker/agent_ports.h"
#include "backends/docker/engine_client.h"
#include "ws/provisioner.h"

namespace ws::docker {

struct DockerOptions {
  std::string default_image = "molecule-local/workspace-agent:dev";  ///< WORKSPACE_IMAGE
  std::map<std::string, std::string> runtime_images;  ///< runtime -> image (WORKSPACE_IMAGE_<RUNTIME>)
  std::string network_mode = "host";  ///< host (each agent on its own port) | bridge (127.0.0.1 published port)
  std::chrono::milliseconds exec_timeout{60000};
  /// Labels everything this server creates (molecule.platform.instance), so that several
  /// servers can share one engine without reaping each other's workspaces.
  std::string instance = "default";
  /// ALLOW_PRIVILEGED_WORKSPACES: tiers 3 and 4 run privileged in the host's PID namespace, and
  /// tier 4 also on the host network with the engine socket. Off: they get their resources only.
  bool allow_privileged = false;
};

/// Builds the Engine API container-create body for a workspace (exposed for request-level
/// tests of both network modes). `host_port` is the agent's port in host mode.
nlohmann::json containerSpec(const WorkspaceConfig& c, const DockerOptions& o, int host_port, int host_cpus);

/// The image for a runtime: its WORKSPACE_IMAGE_<RUNTIME> override, else the default image.
const std::string& imageFor(const DockerOptions& o, const std::string& runtime);
std::string containerName(const std::string& workspace_id);
std::string configVolumeName(const std::string& workspace_id);
std::string workspaceVolumeName(const std::string& workspace_id);

/// The labels on everything a server makes on an engine (Docker and Swarm backends).
inline constexpr const char* kManagedLabel = "molecule.platform.managed";
inline constexpr const char* kInstanceLabel = "molecule.platform.instance";
inline constexpr const char* kWorkspaceLabel = "molecule.workspace.id";

/// The environment variable through which an image that declares kConfigEnvLabel receives its
/// config files (a base64 tar unpacked into /configs by its entrypoint, templates/default/start.sh).
inline constexpr const char* kConfigEnv = "WORKSPACE_CONFIG_TAR";
inline constexpr const char* kConfigEnvLabel = "molecule.workspace.config-env";
/// Larger config sets go through the archive upload instead.
inline constexpr std::size_t kMaxConfigEnvBytes = 64 * 1024;

class DockerProvisioner final : public Provisioner {
 public:
  /// `engine` may be null: every method then answers backend_unavailable.
  DockerProvisioner(EngineClientPtr engine, DockerOptions options);

  std::string name() const override { return "docker"; }
  Result<StartResult> start(const WorkspaceConfig& config) override;
  Result<> stop(const std::string& workspace_id) override;
  Liveness isRunning(const std::string& workspace_id) override;
  Result<std::string> bootLog(const std::string& workspace_id) override;
  Result<ExecResult> exec(const std::string& workspace_id, const std::vector<std::string>& argv,
                          const std::string& stdin_data) override;
  Result<std::string> readArchive(const std::string& workspace_id, const std::string& path) override;
  Result<> writeArchive(const std::string& workspace_id, const std::string& path, const std::string& tar) override;
  Result<TerminalPtr> openTerminal(const std::string& workspace_id) override;
  Result<std::vector<std::string>> listManaged() override;
  Result<> removeVolumes(const std::string& workspace_id) override;

 private:
  Result<> ensureVolume(const std::string& name, const std::string& workspace_id);
  /// Whether `image` unpacks its config from kConfigEnv itself (its kConfigEnvLabel says so);
  /// asked once per image. A missing image is an error naming tools/make-agent-image.
  Result<bool> takesConfigEnv(const std::string& image);
  /// The label filter for the resources of `workspace_id` made by this server instance.
  nlohmann::json ownedBy(const std::string& workspace_id) const;
  /// The name of the workspace's container: containerName(), unless one labelled with the
  /// workspace was made under an earlier naming scheme (adopted; found by one listing at the
  /// first call, so starts cost no extra engine call).
  std::string containerOf(const std::string& workspace_id);

  EngineClientPtr engine_;
  DockerOptions options_;
  /// Cleared when the engine refuses privileged containers (e.g. inside a restricted VM);
  /// tiers 3 and 4 then run unprivileged, with their other settings.
  std::atomic<bool> privileged_ok_{true};
  AgentPorts ports_;
  std::mutex images_mutex_;
  std::map<std::string, bool> config_env_images_;  ///< image -> takesConfigEnv
  std::mutex names_mutex_;
  bool legacy_scanned_ = false;
  std::map<std::string, std::string> legacy_names_;  ///< workspace id -> container of an earlier scheme
};

}  // namespace ws::docker
