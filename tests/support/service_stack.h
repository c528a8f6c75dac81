#pragma once
// What a unit test of one service builds on: a temporary store with the event bus, lifecycle,
// credentials and (ServiceStack) a workspace service without a backend over it. A test fixture inherits it (its
// members keep the names the fixtures use) and adds the services under test.

#include "service/credentials.h"
#include "service/events.h"
#include "service/lifecycle.h"
#include "service/workspace_service.h"
#include "support/test_store.h"
#include "ws/config.h"

namespace ws::test {

/// Everything below the workspace service, for fixtures that build theirs with a backend.
class StoreStack {
 protected:
  TempStore store_;
  EventBus events_{*store_};
  Lifecycle lifecycle_{*store_, events_};
  ServerConfig config_;
  Credentials credentials_{*store_, config_};
};

class ServiceStack : protected StoreStack {
 protected:
  WorkspaceService workspaces_{lifecycle_, credentials_, config_, nullptr, nullptr};
};

}  // namespace ws::test
