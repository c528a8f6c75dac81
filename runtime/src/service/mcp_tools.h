#pragma once
// The tools of the MCP bridge (the reference's MCPHandler tools, plus chat_history): what an
// agent may do as its own workspace through POST /workspaces/:id/mcp. Each tool acts as the
// workspace whose token called it and reaches only what that workspace may reach.

#include <nlohmann/json.hpp>

#include <chrono>
#include <string>

#include "service/a2a.h"
#include "service/chat_history.h"
#include "service/delegations.h"
#include "service/workspace_service.h"
#include "ws/store.h"

namespace ws {

class McpTools {
 public:
  /// How long delegate_task waits for the peer's answer (the reference's).
  static constexpr std::chrono::seconds kDelegateTimeout{30};

  /// What a tool call produced: its text, and whether the tool failed (MCP isError).
  struct Outcome {
    std::string text;
    bool is_error = false;
  };

  McpTools(Store& store, WorkspaceService& workspaces, A2aDelivery& a2a, Delegations& delegations)
      : store_(store), workspaces_(workspaces), a2a_(a2a), delegations_(delegations), history_(store) {}

  /// The descriptors tools/list answers: [{name, description, inputSchema}].
  static const nlohmann::json& descriptors();

  /// Runs tool `name` as workspace `self`. invalid_argument (JSON-RPC "invalid params") for an
  /// unknown tool or arguments that do not fit its schema; what goes wrong in the tool itself
  /// (a refused scope, an unreachable peer) is an Outcome with is_error. Blocks on the network
  /// (delegate_task): call it off the I/O threads.
  Result<Outcome> call(const Workspace& self, const std::string& name, const nlohmann::json& arguments);

 private:
  Result<Outcome> chatHistory(const Workspace& self, const nlohmann::json& args);
  Result<Outcome> listPeers(const Workspace& self);
  Result<Outcome> workspaceInfo(const Workspace& self);
  Result<Outcome> commitMemory(const Workspace& self, const nlohmann::json& args);
  Result<Outcome> recallMemory(const Workspace& self, const nlohmann::json& args);
  Result<Outcome> delegateTask(const Workspace& self, const nlohmann::json& args);
  Result<Outcome> delegateTaskAsync(const Workspace& self, const nlohmann::json& args);
  Result<Outcome> checkTaskStatus(const Workspace& self, const nlohmann::json& args);

  Store& store_;
  WorkspaceService& workspaces_;
  A2aDelivery& a2a_;
  Delegations& delegations_;
  ChatHistory history_;
};

}  // namespace ws
