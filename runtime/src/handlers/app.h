#pragma once
// What route handlers share, and the registration function of each API area.

#include <nlohmann/json.hpp>

#include "../auth/auth.h"
#include "../core/lifecycle.h"
#include "../server/router.h"
#include "../sweeps/liveness.h"
#include "parity/parity.h"
#include "validation.h"
#include "workspace_handler.h"
#include "ws/config.h"
#include "ws/store.h"

namespace ws {

struct App {
  const ServerConfig& config;
  Store& store;
  Auth& auth;
  Lifecycle& lifecycle;
  WorkspaceHandler& workspaces;
  LivenessTracker& liveness;

  EventBus& events() { return lifecycle.events(); }
  /// Agent URLs on loopback only in development mode or with --allow-loopback-agents.
  UrlPolicy agentUrlPolicy() const { return {config.allow_loopback_agents || config.devMode(), false}; }
};

void registerHealthRoutes(Router& router, App& app);
void registerWorkspaceRoutes(Router& router, App& app);
void registerRegistryRoutes(Router& router, App& app);
void registerEventRoutes(Router& router, App& app);
void registerTokenRoutes(Router& router, App& app);
void registerActivityRoutes(Router& router, App& app);
void registerLifecycleRoutes(Router& router, App& app);
void registerTeamRoutes(Router& router, App& app);
void registerOrgRoutes(Router& router, App& app);
void registerFileRoutes(Router& router, App& app);
void registerSecretRoutes(Router& router, App& app);
void registerPluginRoutes(Router& router, App& app);
void registerA2aRoutes(Router& router, App& app);
void registerBudgetRoutes(Router& router, App& app);
void registerMemoryRoutes(Router& router, App& app);
void registerScheduleRoutes(Router& router, App& app);

inline void registerAllRoutes(Router& router, App& app) {
  // Reference-platform features this server does not serve yet; each would add its routes here.
  PARITY_UNBUILT(mcp_chat_history, "served by the agent runtime, which workspace-agent does not include", "docs/roadmap.md#agent-runtime");
  PARITY_UNBUILT(runtime_wedge_gate, "served by the agent runtime, which workspace-agent does not include", "docs/roadmap.md#agent-runtime");
  registerHealthRoutes(router, app);
  registerWorkspaceRoutes(router, app);
  registerRegistryRoutes(router, app);
  registerEventRoutes(router, app);
  registerTokenRoutes(router, app);
  registerActivityRoutes(router, app);
  registerLifecycleRoutes(router, app);
  registerTeamRoutes(router, app);
  registerOrgRoutes(router, app);
  registerFileRoutes(router, app);
  registerSecretRoutes(router, app);
  registerPluginRoutes(router, app);
  registerA2aRoutes(router, app);
  registerBudgetRoutes(router, app);
  registerMemoryRoutes(router, app);
  registerScheduleRoutes(router, app);
}

// Helpers shared by the route files.

/// The workspace named by `id`, or the response to send: 400 for a malformed id, 404 when
/// unknown or removed, 500 on a storage error.
struct LoadedWorkspace {
  std::optional<Workspace> workspace;
  std::optional<Response> error;
};
LoadedWorkspace loadLiveWorkspace(Store& store, const std::string& id);
/// loadLiveWorkspace for the routes that reach a workload: 409 for an external workspace,
/// whose agent runs elsewhere.
LoadedWorkspace loadManagedWorkspace(Store& store, const std::string& id);

/// ?limit= within [1, max] (default `fallback`); nullopt when malformed.
std::optional<int> readLimitParam(const Request& req, int fallback, int max);

class JsonWriter;
/// The list shape carries operator fields; the single-workspace read (an open route) omits
/// budget, spend, current task, last error and directory, and adds last_outbound_at.
enum class WorkspaceView { list, single };
/// Writes a workspace in the reference's JSON shape (runtime-spec 6.3).
void writeWorkspaceJson(JsonWriter& out, const Workspace& w, WorkspaceView view);
/// Parses stored JSON text; null when absent or unparsable.
nlohmann::json parseStoredJson(const std::optional<std::string>& text);

/// A memory of `w`, ready to store: scope upper-cased (LOCAL when empty; LOCAL, TEAM or GLOBAL),
/// content truncated to 100000 bytes and redacted, "[MEMORY " defanged in GLOBAL ones, the
/// workspace's awareness namespace when `ns` is empty.
Result<MemoryRecord> makeMemory(const Workspace& w, std::string_view content, std::string scope, std::string ns);
/// The `initial_memories` of a create request as memories of `w` (invalid_argument when malformed).
Result<std::vector<MemoryRecord>> initialMemories(const Workspace& w, const nlohmann::json& list);

/// The backend says the workload of an online or degraded workspace is gone: mark it offline
/// (WORKSPACE_OFFLINE with `reason`) and restart it. False when the workspace had already moved on.
bool markDeadAndRestart(App& app, const std::string& workspace_id, const std::string& reason);

/// Sends a JSON-RPC request to `target`'s agent as the platform itself (no caller), with the
/// proxy's answers and side effects. Blocks: call it off the I/O threads.
Response sendA2a(App& app, const Workspace& target, nlohmann::json rpc, std::chrono::seconds timeout);
/// Fires every enabled schedule that is due, in the background (the scheduler sweep).
void runDueSchedules(App& app);

/// May `caller` talk to `target`? Self, siblings (two roots included), parent and child, and
/// ancestor to descendant.
Result<bool> canCommunicate(Store& store, const std::string& caller, const std::string& target);

}  // namespace ws
