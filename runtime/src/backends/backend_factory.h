#pragma once
// Chooses and wires the backend at start-up (--backend auto|docker|none).

#include "ws/config.h"
#include "ws/provisioner.h"
#include "ws/workspace_store.h"

namespace ws {

struct Backends {
  ProvisionerPtr controlplane;
  ProvisionerPtr docker;
};

/// auto: the control plane when MOLECULE_ORG_ID is set, else Docker when an engine answers at
/// DOCKER_HOST, else none. docker / controlplane: that backend, or a failure with the reason.
/// none: no backend. The store resolves control-plane instance ids.
Result<Backends> makeBackends(const ServerConfig& config, WorkspaceStore& store);

}  // namespace ws
