#pragma once
// Chooses and wires the backend at start-up (--backend auto|docker|none).

#include "ws/config.h"
#include "ws/provisioner.h"

namespace ws {

struct Backends {
  ProvisionerPtr controlplane;
  ProvisionerPtr docker;
};

/// auto: Docker when an engine answers at DOCKER_HOST, else none. docker: the engine must
/// answer, or this fails with the reason. none: no backend.
Result<Backends> makeBackends(const ServerConfig& config);

}  // namespace ws
