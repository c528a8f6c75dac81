#include "backend_factory.h"

#include <spdlog/spdlog.h>

#include "docker/docker_provisioner.h"

namespace ws {

Result<Backends> makeBackends(const ServerConfig& config) {
  Backends b;
  if (config.backend == "none") return b;
  if (config.backend != "auto" && config.backend != "docker")
    return makeError(Errc::invalid_argument, "unknown backend " + config.backend + " (auto, docker, none)");
  auto engine = docker::EngineClient::connect(config.docker_host, std::chrono::seconds(config.backend == "auto" ? 3 : 10));
  if (!engine) {
    if (config.backend == "docker") return engine.error();
    spdlog::warn("no Docker Engine answers ({}); running without a backend", engine.error().message);
    return b;
  }
  docker::DockerOptions options;
  options.default_image = config.workspace_image;
  options.runtime_images = config.runtime_images;
  options.network_mode = config.network_mode;
  options.instance = config.instance_id;
  spdlog::info("docker backend: engine at {} (API {}), image {}, network {}", (*engine)->socketPath(),
               (*engine)->apiVersion(), options.default_image, options.network_mode);
  b.docker = std::make_shared<docker::DockerProvisioner>(*engine, options);
  return b;
}

}  // namespace ws
