#pragma once
// The HTTP API: each route file (one per API area) parses a request, calls the services and
// renders the answer. Services is what the route files are handed; registerAllRoutes wires
// every area into a router.

#include <nlohmann/json.hpp>

#include <optional>

#include "handlers/auth_gate.h"
#include "handlers/views.h"
#include "server/router.h"
#include "service/a2a.h"
#include "service/a2a_queue.h"
#include "service/agent_messages.h"
#include "service/approvals.h"
#include "service/chat_files.h"
#include "service/credentials.h"
#include "service/delegations.h"
#include "service/events.h"
#include "service/kv_memory.h"
#include "service/lifecycle.h"
#include "service/live_events.h"
#include "service/memory_backup.h"
#include "service/metrics.h"
#include "service/subsystem_ticks.h"
#include "service/org_tokens.h"
#include "service/session_log.h"
#include "service/workspace_configs.h"
#include "service/workspace_service.h"
#include "ws/config.h"
#include "ws/store.h"

namespace ws {

struct Services {
  const ServerConfig& config;
  Store& store;
  AuthGate& auth;
  Credentials& credentials;
  Lifecycle& lifecycle;
  WorkspaceService& workspaces;
  A2aDelivery& a2a;
  LiveEvents& live;
  Metrics& metrics;
  SubsystemTicks& ticks;
  OrgTokens& org_tokens;
  AgentMessages& messages;
  ChatFiles& chat_files;
  WorkspaceConfigs& configs;
  Delegations& delegations;
  Approvals& approvals;
  KeyValueMemory& kv_memory;
  MemoryBackup& memory_backup;
  SessionLog& session_log;
  A2aQueue& a2a_queue;

  EventBus& events() { return lifecycle.events(); }
};

void registerHealthRoutes(Router& router, Services& svc);
void registerWorkspaceRoutes(Router& router, Services& svc);
void registerRegistryRoutes(Router& router, Services& svc);
void registerEventRoutes(Router& router, Services& svc);
void registerTokenRoutes(Router& router, Services& svc);
void registerActivityRoutes(Router& router, Services& svc);
void registerLifecycleRoutes(Router& router, Services& svc);
void registerTeamRoutes(Router& router, Services& svc);
void registerOrgRoutes(Router& router, Services& svc);
void registerFileRoutes(Router& router, Services& svc);
void registerSecretRoutes(Router& router, Services& svc);
void registerPluginRoutes(Router& router, Services& svc);
void registerA2aRoutes(Router& router, Services& svc);
void registerBudgetRoutes(Router& router, Services& svc);
void registerMemoryRoutes(Router& router, Services& svc);
void registerScheduleRoutes(Router& router, Services& svc);
void registerTemplateRoutes(Router& router, Services& svc);
void registerObservabilityRoutes(Router& router, Services& svc);
void registerDashboardRoutes(Router& router, Services& svc);
void registerOrgTokenRoutes(Router& router, Services& svc);
void registerCanvasRoutes(Router& router, Services& svc);
void registerConfigRoutes(Router& router, Services& svc);
void registerChatRoutes(Router& router, Services& svc);
void registerDelegationRoutes(Router& router, Services& svc);
void registerApprovalRoutes(Router& router, Services& svc);
void registerKvMemoryRoutes(Router& router, Services& svc);
void registerAdminMemoryRoutes(Router& router, Services& svc);
void registerSessionRoutes(Router& router, Services& svc);
void registerBundleRoutes(Router& router, Services& svc);
void registerA2aQueueRoutes(Router& router, Services& svc);
void registerMcpRoutes(Router& router, Services& svc);

/// Every API area's routes.
void registerAllRoutes(Router& router, Services& svc);

/// ?limit= within [1, max] (default `fallback`); nullopt when malformed.
std::optional<int> readLimitParam(const Request& req, int fallback, int max);

}  // namespace ws
