#include "sweeper.h"

#include <spdlog/spdlog.h>

#include "../core/util.h"

namespace ws {

void Sweeper::start() {
  // After a restart nobody has heartbeated yet: give every live workspace a full TTL.
  if (auto live = app_.store.listByStatus({Status::online, Status::degraded}))
    for (const auto& w : *live) app_.liveness.touch(w.id);
  thread_ = std::thread([this] {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
      lock.unlock();
      runOnce();
      lock.lock();
      wake_.wait_for(lock, app_.config.sweep_interval, [this] { return stopping_; });
    }
  });
}

void Sweeper::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Sweeper::runOnce() {
  livenessSweep();
  provisionTimeoutSweep();
}

void Sweeper::livenessSweep() {
  for (const auto& id : app_.liveness.takeExpired()) {
    auto changed = app_.lifecycle.change(StatusChange{
        id, Status::offline, "WORKSPACE_OFFLINE",
        {{"reason", "no heartbeat for " + std::to_string(app_.config.liveness_ttl.count()) + "s"}},
        {Status::online, Status::degraded}});
    if (!changed) spdlog::error("liveness sweep: {}", changed.error().message);
    else if (*changed) spdlog::info("workspace {} went offline (heartbeat silence)", id);
  }
}

void Sweeper::provisionTimeoutSweep() {
  const auto timeout = app_.config.provision_timeout;
  auto stuck = app_.store.provisioningSince(formatTime(Clock::now() - timeout));
  if (!stuck) return spdlog::error("provision-timeout sweep: {}", stuck.error().message);
  for (const auto& id : *stuck) {
    const std::string reason = "provisioning timed out after " + std::to_string(timeout.count()) +
                               "s without the agent registering";
    auto changed = app_.lifecycle.change(StatusChange{
        id, Status::failed, "WORKSPACE_PROVISION_FAILED",
        {{"error", reason}, {"timeout_secs", timeout.count()}, {"source", "provision_timeout_sweep"}},
        {Status::provisioning}, std::nullopt, reason});
    if (changed && *changed) spdlog::warn("workspace {}: {}", id, reason);
  }
}

}  // namespace ws
