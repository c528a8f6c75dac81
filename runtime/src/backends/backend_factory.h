#pragma once
// Chooses and wires the backend at start-up (--backend auto|docker|swarm|controlplane|none).

#include "ws/config.h"
#include "ws/provisioner.h"
#include "ws/workspace_store.h"

namespace ws {

struct Backends {
  ProvisionerPtr controlplane;
  ProvisionerPtr docker;  ///< the engine backend: Docker, or Swarm on a swarm manager
};

/// auto: the control plane when MOLECULE_ORG_ID is set, else Swarm when the engine at
/// DOCKER_HOST is a swarm manager, else Docker when an engine answers there, else none. docker / controlplane: that backend, or a failure with the reason.
/// none: no backend. The store resolves control-plane instance ids.
Result<Backends> makeBackends(const ServerConfig& config, WorkspaceStore& store);

/// The reference's runtimes, which have an image of their own there.
inline constexpr const char* kReferenceRuntimes[] = {"langgraph", "claude-code", "openclaw", "deepagents",
                                                     "crewai",    "autogen",     "hermes",   "gemini-cli"};
/// The image names the reference gives its runtimes ("{runtime}" is replaced).
inline constexpr const char* kReferenceImagePattern = "ghcr.io/molecule-ai/workspace-template-{runtime}:latest";

/// runtime -> image: each of the reference's runtimes named by RUNTIME_IMAGE_PATTERN (when
/// set), then WORKSPACE_IMAGE_<RUNTIME> over it. A runtime not in the map takes WORKSPACE_IMAGE.
std::map<std::string, std::string> runtimeImages(const ServerConfig& config);

}  // namespace ws
