#pragma once
// The server's object graph: one store, the backends, the services over them, the routes and
// the sweeps. main() builds it once; --list-routes, tests and fuzz targets build it too.
// `replicas` is how this server coordinates with others on the same database: by default
// (SQLite, one process) every lease is granted and nothing is relayed.

#include "handlers/auth_gate.h"
#include "handlers/routes.h"
#include "server/router.h"
#include "service/a2a.h"
#include "service/a2a_queue.h"
#include "service/agent_messages.h"
#include "service/chat_files.h"
#include "service/credentials.h"
#include "service/events.h"
#include "service/lifecycle.h"
#include "service/live_events.h"
#include "service/liveness.h"
#include "service/metrics.h"
#include "service/org_tokens.h"
#include "service/schedules.h"
#include "service/subsystem_ticks.h"
#include "service/workspace_configs.h"
#include "service/workspace_service.h"
#include "sweeps/sweeper.h"
#include "ws/config.h"
#include "ws/provisioner.h"
#include "ws/replicas.h"
#include "ws/store.h"

namespace ws {

struct Wiring {
  /// Either backend may be null. `config` and `store` must outlive the wiring.
  Wiring(const ServerConfig& config, Store& store, ProvisionerPtr controlplane, ProvisionerPtr docker,
         ReplicaLinks links = ReplicaLinks::local())
      : replicas(std::move(links)),
        events(store),
        live(events, store),
        lifecycle(store, events),
        credentials(store, config),
        org_tokens(store),
        auth(credentials, org_tokens, config),
        liveness(store, config.liveness_ttl),
        workspaces(lifecycle, credentials, config, std::move(controlplane), std::move(docker), &metrics),
        a2a(store, events, workspaces, config, &metrics),
        a2a_queue(store, workspaces, a2a, &metrics, A2aQueue::Options{.shared_database = replicas.relay != nullptr}),
        schedules(store, a2a, workspaces),
        messages(store, events),
        chat_files(workspaces),
        configs(store),
        delegations(store, events, workspaces, a2a),
        approvals(store, events),
        kv_memory(store),
        memory_backup(store),
        session_log(store),
        services{config, store, auth, credentials, lifecycle, workspaces, a2a, live, metrics, ticks, org_tokens,
                 messages, chat_files, configs, delegations, approvals, kv_memory, memory_backup, session_log, a2a_queue},
        router(auth),
        sweeper(Sweeper::Parts{config, store, lifecycle, workspaces, liveness, *replicas.leases, a2a_queue, delegations, schedules, ticks}) {
    if (replicas.relay) events.relayThrough(*replicas.relay);
    a2a.queueBusyDeliveriesIn(a2a_queue);
    registerAllRoutes(router, services);
    // A provision replaces the workspace's tokens: streams opened with the old ones end.
    workspaces.onTokensRevoked([this](const std::string& id) { live.recheck(id); });
  }
  /// Background work (sweeps, provisioning, schedule runs) uses every member: end it before
  /// any member goes.
  ~Wiring() {
    sweeper.stop();
    a2a_queue.stop();
    workspaces.drain();
  }
  Wiring(const Wiring&) = delete;
  Wiring& operator=(const Wiring&) = delete;

  ReplicaLinks replicas;  ///< First: the relay outlives the bus that detaches from it.
  Metrics metrics;      ///< Before the services that record into it.
  SubsystemTicks ticks;
  EventBus events;
  LiveEvents live;
  Lifecycle lifecycle;
  Credentials credentials;
  OrgTokens org_tokens;
  AuthGate auth;
  LivenessTracker liveness;
  WorkspaceService workspaces;
  A2aDelivery a2a;
  A2aQueue a2a_queue;  ///< After what it delivers with: its destructor waits for drains in progress.
  ScheduleRunner schedules;
  AgentMessages messages;
  ChatFiles chat_files;
  WorkspaceConfigs configs;
  Delegations delegations;  ///< After what it delivers with: its destructor waits for delegations in flight.
  Approvals approvals;
  KeyValueMemory kv_memory;
  MemoryBackup memory_backup;
  SessionLog session_log;
  Services services;
  Router router;
  Sweeper sweeper;  ///< Not started: call sweeper.start().
};

}  // namespace ws
