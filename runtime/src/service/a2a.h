#pragma once
// A2A delivery (runtime-spec 6.3 "A2A proxy"): a JSON-RPC request posted to a workspace's
// agent at the address its backend recorded, logged as activity, with reactive liveness (a
// workload found gone is marked offline and restarted). Used by the proxy route and by the
// schedule runner. Blocks on the agent: call it off the I/O threads.

#include <nlohmann/json.hpp>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/http_client.h"

#include "service/events.h"
#include "service/metrics.h"
#include "service/validation.h"
#include "service/workspace_service.h"
#include "ws/config.h"
#include "ws/store.h"

namespace ws {

class A2aQueue;

/// What the proxy answers for a delivery: the agent's own status and body when it answered,
/// or the platform's verdict as a status and a JSON body (with Retry-After seconds when the
/// caller should come back).
struct A2aReply {
  int status = 200;
  std::string body;
  int retry_after = 0;  ///< Seconds; 0: no Retry-After.

  bool ok() const { return status >= 200 && status < 300; }
};

/// A JSON-RPC request as it goes to an agent: its bytes and its method (for the activity log).
struct OutgoingRpc {
  std::string body;
  std::string method;

  /// `rpc` serialised.
  static OutgoingRpc of(const nlohmann::json& rpc);
  /// A proxied body forwarded byte for byte, when nothing needs adding to it (an object with
  /// `jsonrpc` whose message, if any, has its messageId); read without building a document.
  static std::optional<OutgoingRpc> asIs(std::string_view body);
};

class A2aDelivery {
 public:
  /// `metrics` (optional) is told how long each delivery took.
  A2aDelivery(Store& store, EventBus& events, WorkspaceService& workspaces, const ServerConfig& config,
              Metrics* metrics = nullptr)
      : store_(store), events_(events), workspaces_(workspaces), config_(config), metrics_(metrics) {}

  /// Agent URLs on loopback only in development mode or with --allow-loopback-agents.
  UrlPolicy agentUrlPolicy() const { return {config_.allow_loopback_agents || config_.devMode(), false}; }

  /// JSON-RPC 2.0 as agents expect it: wrapped when `jsonrpc` is missing, with a messageId.
  static nlohmann::json normalize(nlohmann::json body);
  /// Tells the target who is talking (channel envelope enrichment): the caller's id, name and
  /// role, and where its agent card is.
  void addEnvelope(nlohmann::json& rpc, const Workspace& caller) const;

  /// Delivers `rpc` (normalized) from `caller` ("" for the canvas or the platform) to `target`;
  /// the token usage the agent reports in its answer is added to the target's.
  A2aReply deliver(const Workspace& target, const std::string& caller, const nlohmann::json& rpc,
                   std::chrono::seconds timeout);
  A2aReply deliver(const Workspace& target, const std::string& caller, const OutgoingRpc& rpc, std::chrono::seconds timeout);
  /// deliver without blocking, for a target deliversWithoutBlocking: the call goes out on this
  /// I/O thread's keep-alive connections and `done` gets the reply there (after a failure, from
  /// a worker: asking the backend about the workload blocks).
  void deliverAsync(const Workspace& target, const std::string& caller, OutgoingRpc rpc, std::chrono::seconds timeout,
                    std::function<void(A2aReply)> done);
  /// On a server I/O thread, for an agent address that needs no name lookup.
  bool deliversWithoutBlocking(const Workspace& target) const;
  /// Sends `rpc` as the platform itself: normalized, no caller; 503 when the target has no URL.
  A2aReply send(const Workspace& target, nlohmann::json rpc, std::chrono::seconds timeout);
  /// Deliveries that time out are handed to `queue` (202 queued) rather than answered 503 busy.
  void queueBusyDeliveriesIn(A2aQueue& queue) { queue_ = &queue; }

 private:
  /// What the delivery's outcome is recorded with: the target, the caller and what was sent.
  struct Sent {
    std::string target_id;
    bool external = false;
    std::string caller;
    std::string method;
    std::string body;  ///< The JSON-RPC request as it went out.
  };
  /// The HTTP call to the target's agent; resolves an external agent's host name (blocking).
  /// Takes the body; `sent` keeps what went out.
  Result<HttpCall> callFor(const Workspace& target, OutgoingRpc rpc, std::chrono::seconds timeout, Sent& sent) const;
  /// Everything after the agent answered (or did not): activity, token usage, reactive
  /// liveness, metrics, the canvas's A2A_RESPONSE, and the reply. Blocks only after a failure
  /// (asking the backend whether the workload runs).
  A2aReply finish(const Sent& sent, Result<HttpReply> reply, std::chrono::steady_clock::duration elapsed);

  Store& store_;
  EventBus& events_;
  WorkspaceService& workspaces_;
  const ServerConfig& config_;
  Metrics* metrics_;
  A2aQueue* queue_ = nullptr;
};

/// The 503 answered for a workspace without an agent address.
A2aReply noAgentAddress(const Workspace& target);

}  // namespace ws
