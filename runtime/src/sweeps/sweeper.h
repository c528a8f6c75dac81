#pragma once
// Background sweeps on their own thread: liveness (heartbeat silence -> offline) and the
// provision timeout (stuck in provisioning -> failed).

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
  /// One pass of every sweep.
  void runOnce();

 private:
  void livenessSweep();
  void provisionTimeoutSweep();

  App& app_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace ws
