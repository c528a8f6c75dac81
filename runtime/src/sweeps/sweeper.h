#pragma once
// Background sweeps on their own thread: liveness (heartbeat silence -> offline, then a
// restart), the provision timeout (stuck in provisioning -> failed), the health sweep (the
// backend says the workload is gone -> offline, then a restart) and the orphan sweep (backend
// resources whose workspace is removed or unknown are reaped), and the due schedules. All go
// through the workspace service. Each sweep records a tick when it has run (GET /admin/liveness):
// liveness-sweep, provision-timeout-sweep, scheduler, health-sweep, orphan-sweep.

#include <condition_variable>
#include <mutex>
#include <thread>

#include "service/lifecycle.h"
#include "service/liveness.h"
#include "service/schedules.h"
#include "service/subsystem_ticks.h"
#include "service/workspace_service.h"
#include "ws/config.h"
#include "ws/workspace_store.h"

namespace ws {

class Sweeper {
 public:
  /// The parts of the service the sweeps drive.
  struct Parts {
    const ServerConfig& config;
    WorkspaceStore& store;
    Lifecycle& lifecycle;
    WorkspaceService& workspaces;
    LivenessTracker& liveness;
    ScheduleRunner& schedules;
    SubsystemTicks& ticks;
  };
  explicit Sweeper(Parts parts) : svc_(parts) {}
  ~Sweeper() { stop(); }

  /// Seeds liveness with the workspaces already online, then sweeps every sweep_interval.
  void start();
  void stop();
  /// One pass of every sweep that is due (all of them when `force`).
  void runOnce(bool force = true);

 private:
  void livenessSweep();
  void provisionTimeoutSweep();
  void healthSweep();
  void orphanSweep();

  Parts svc_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::chrono::steady_clock::time_point last_health_{};
  std::chrono::steady_clock::time_point last_orphan_{};
  std::thread thread_;
};

}  // namespace ws
