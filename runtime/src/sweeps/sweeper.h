#pragma once
// Background sweeps on their own thread: liveness (heartbeat silence -> offline, then a
// restart), the provision timeout (stuck in provisioning -> failed), the health sweep (the
// backend says the workload is gone -> offline, then a restart) and the orphan sweep (backend
// resources whose workspace is removed or unknown are reaped), the due schedules, idle
// hibernation (a workspace idle past its hibernation_idle_minutes is hibernated) and the
// activity retention cleanup. All go through the workspace service. Each sweep records a tick
// when it has run (GET /admin/liveness): liveness-sweep, provision-timeout-sweep, scheduler,
// health-sweep, orphan-sweep, hibernation-monitor, activity-retention. With replicas on one
// database each sweep runs where its lease (the sweep's name) is held; elsewhere it is skipped
// and still ticks: the loop is alive, the job is another replica's. Every pass, on every
// replica, also refreshes the A2A queue's list of workspaces with queued work. `stalled-work`
// (on the orphan sweep's interval) recovers what a server that stopped left in flight: A2A
// deliveries and delegations older than any can take; with replicas this replaces the
// start-up recovery, which could not tell a dead replica's work from a live one's.

#include <condition_variable>
#include <mutex>
#include <thread>

#include "service/a2a_queue.h"
#include "service/delegations.h"
#include "service/lifecycle.h"
#include "service/liveness.h"
#include "service/schedules.h"
#include "service/subsystem_ticks.h"
#include "service/workspace_service.h"
#include "ws/config.h"
#include "ws/replicas.h"
#include "ws/store.h"

namespace ws {

class Sweeper {
 public:
  /// The parts of the service the sweeps drive.
  struct Parts {
    const ServerConfig& config;
    Store& store;
    Lifecycle& lifecycle;
    WorkspaceService& workspaces;
    LivenessTracker& liveness;
    Leases& leases;
    A2aQueue& a2a_queue;
    Delegations& delegations;
    ScheduleRunner& schedules;
    SubsystemTicks& ticks;
  };
  explicit Sweeper(Parts parts) : svc_(parts) {}
  ~Sweeper() { stop(); }

  /// Sweeps every sweep_interval on its own thread.
  void start();
  void stop();
  /// One pass of every sweep that is due (all of them when `force`).
  void runOnce(bool force = true);

 private:
  void livenessSweep();
  void provisionTimeoutSweep();
  void healthSweep();
  void orphanSweep();
  void hibernationSweep();
  void activityRetentionSweep();
  void stalledWorkSweep();

  Parts svc_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::chrono::steady_clock::time_point last_health_{};
  std::chrono::steady_clock::time_point last_orphan_{};
  std::chrono::steady_clock::time_point last_hibernation_{};
  std::chrono::steady_clock::time_point last_retention_{};
  std::chrono::steady_clock::time_point last_stalled_{};
  std::thread thread_;
};

}  // namespace ws
