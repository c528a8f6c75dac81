#include "backends/backend_factory.h"

#include <spdlog/spdlog.h>

#include "backends/controlplane/controlplane_provisioner.h"
#include "backends/docker/docker_provisioner.h"
#include "backends/swarm/swarm_provisioner.h"

namespace ws {

namespace {

ProvisionerPtr makeControlPlane(const ServerConfig& config, WorkspaceStore& store) {
  controlplane::ControlPlaneConfig cp;
  cp.base_url = config.cp_url;
  cp.org_id = config.org_id;
  cp.shared_secret = config.cp_shared_secret;
  cp.admin_token = config.admin_token;
  cp.admin_api_token = config.cp_admin_api_token;
  cp.timeout = config.cp_timeout;
  cp.status_timeout = config.cp_status_timeout;
  // stop and status address the instance recorded in the database, never the workspace id.
  auto lookup = [&store](const std::string& id) -> Result<std::string> {
    auto w = store.findWorkspace(id);
    if (!w) return w.error();
    return *w && (*w)->instance_id ? *(*w)->instance_id : std::string();
  };
  spdlog::info("control-plane backend: {} (org {})", cp.base_url, cp.org_id);
  return std::make_shared<controlplane::ControlPlaneProvisioner>(cp, lookup);
}

// Whether the engine manages a swarm: auto then runs workspaces as services.
bool swarmManager(const docker::EngineClient& engine) {
  auto info = engine.call("GET", "/info");
  return info && info->value("/Swarm/LocalNodeState"_json_pointer, std::string()) == "active" &&
         info->value("/Swarm/ControlAvailable"_json_pointer, false);
}

}  // namespace

std::map<std::string, std::string> runtimeImages(const ServerConfig& config) {
  std::map<std::string, std::string> images;
  const std::string pattern = config.runtime_image_pattern == "reference" ? kReferenceImagePattern : config.runtime_image_pattern;
  if (!pattern.empty())
    for (const std::string runtime : kReferenceRuntimes) {
      std::string image = pattern;
      for (auto at = image.find("{runtime}"); at != std::string::npos; at = image.find("{runtime}", at + runtime.size()))
        image.replace(at, 9, runtime);
      images[runtime] = image;
    }
  for (const auto& [runtime, image] : config.runtime_images) images[runtime] = image;
  return images;
}

Result<Backends> makeBackends(const ServerConfig& config, WorkspaceStore& store) {
  Backends b;
  if (config.backend == "none") return b;
  if (config.backend == "controlplane" || (config.backend == "auto" && !config.org_id.empty())) {
    if (config.org_id.empty()) return makeError(Errc::invalid_argument, "the control-plane backend needs MOLECULE_ORG_ID");
    if (config.cp_url.empty()) return makeError(Errc::invalid_argument, "the control-plane backend needs CP_PROVISION_URL");
    b.controlplane = makeControlPlane(config, store);
    return b;
  }
  if (config.backend != "auto" && config.backend != "docker" && config.backend != "swarm")
    return makeError(Errc::invalid_argument, "unknown backend " + config.backend + " (auto, docker, swarm, controlplane, none)");
  auto engine = docker::EngineClient::connect(config.docker_host, std::chrono::seconds(config.backend == "auto" ? 3 : 10));
  if (!engine) {
    if (config.backend != "auto") return engine.error();
    spdlog::warn("no Docker Engine answers ({}); running without a backend", engine.error().message);
    return b;
  }
  docker::DockerOptions options;
  options.default_image = config.workspace_image;
  options.runtime_images = runtimeImages(config);
  options.network_mode = config.network_mode;
  options.instance = config.instance_id;
  options.allow_privileged = config.allow_privileged;
  if (config.backend == "swarm" || (config.backend == "auto" && swarmManager(**engine))) {
    if (!swarmManager(**engine))
      return makeError(Errc::invalid_argument, "the swarm backend needs an engine that is a swarm manager (docker swarm init)");
    spdlog::info("swarm backend: manager engine at {} (API {}), image {}", (*engine)->socketPath(), (*engine)->apiVersion(),
                 options.default_image);
    b.docker = std::make_shared<swarm::SwarmProvisioner>(*engine, swarm::SwarmOptions{options});
    return b;
  }
  spdlog::info("docker backend: engine at {} (API {}), image {}, network {}", (*engine)->socketPath(),
               (*engine)->apiVersion(), options.default_image, options.network_mode);
  b.docker = std::make_shared<docker::DockerProvisioner>(*engine, options);
  return b;
}

}  // namespace ws
