#pragma once
// The Swarm backend: one replicated service (one replica) per workspace on a Docker Swarm,
// driven through the Engine API of a manager node (never the docker CLI). The engine, not the
// server, reschedules a task whose container dies (restart condition "any").
//
// Names: service ws-<id>, volumes ws-<id>-configs and ws-<id>-workspace (created by the engine
// on the task's node from the mounts), config secrets ws-<id>-config-<nonce>; all labelled as
// the Docker backend labels its resources (molecule.platform.managed, molecule.platform.instance,
// molecule.workspace.id with the full id).
//
// Config files reach /configs through a secret holding their tar, mounted into the task at
// kConfigSecretPath: the image's entrypoint (templates/default/start.sh) unpacks it before the
// agent starts. Exec, archives and the terminal reach the task's container through the engine
// this server talks to, so they work for tasks on that engine's node (every task of a single-node
// swarm); a task on another node answers Errc::unsupported naming the node.

#include <mutex>
#include <string>

#include "backends/docker/docker_provisioner.h"
#include "backends/docker/engine_client.h"
#include "ws/provisioner.h"

namespace ws::swarm {

struct SwarmOptions {
  docker::DockerOptions docker;  ///< image, instance label, exec timeout (network is always host)
  /// How long start() waits for the task's container to run before it gives up.
  std::chrono::milliseconds start_timeout{60000};
};

/// Where the task finds the tar of its config files, and the variable that names it.
inline constexpr const char* kConfigSecretPath = "/run/secrets/molecule-config.tar";
inline constexpr const char* kConfigFileEnv = "WORKSPACE_CONFIG_TAR_FILE";

std::string serviceName(const std::string& workspace_id);

/// The Engine API service-create body (exposed for request-level tests). `network_id` is the
/// host network's id, `secret_id`/`secret_name` the config secret.
nlohmann::json serviceSpec(const WorkspaceConfig& c, const SwarmOptions& o, int host_port, int host_cpus,
                           const std::string& network_id, const std::string& secret_id, const std::string& secret_name);

class SwarmProvisioner final : public Provisioner {
 public:
  /// `engine` may be null: every method then answers backend_unavailable.
  SwarmProvisioner(docker::EngineClientPtr engine, SwarmOptions options);

  std::string name() const override { return "swarm"; }
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
  /// The running container of the workspace's task on this engine's node.
  Result<std::string> taskContainer(const std::string& workspace_id);
  /// The tasks of the workspace's service (not_found when there is no service).
  Result<nlohmann::json> tasks(const std::string& workspace_id);
  /// Waits for the service's task to run; its error when the engine gives up on it.
  Result<> awaitRunning(const std::string& workspace_id);
  /// Waits until the engine has removed every container of the service.
  Result<> awaitContainersGone(const std::string& workspace_id);
  Result<std::string> hostNetworkId();
  nlohmann::json ownedBy(const std::string& workspace_id) const;

  docker::EngineClientPtr engine_;
  SwarmOptions options_;
  std::mutex mutex_;
  std::string host_network_;
  docker::AgentPorts ports_;
};

}  // namespace ws::swarm
