#pragma once
// Background sweeps on their own thread: liveness (heartbeat silence -> offline, then a
// restart), the provision timeout (stuck in provisioning -> failed), the health sweep (the
// backend says the workload is gone -> offline, then a restart) and the orphan sweep (backend
// resources whose workspace is removed or unknown are reaped). All go through the dispatchers.

#include <condition_variable>
#include <mutex>
#include <thread>

#include "../handlers/app.h"

namespace ws {

class Sweeper {
 public:
  explicit Sweeper(App& app) : app_(app) {}
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

  App& app_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::chrono::steady_clock::time_point last_health_{};
  std::chrono::steady_clock::time_point last_orphan_{};
  std::thread thread_;
};

}  // namespace ws
