#include "sweeps/sweeper.h"

#include <spdlog/spdlog.h>

#include "core/util.h"
#include "parity/parity.h"

namespace ws {

void Sweeper::start() {
  thread_ = std::thread([this] {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
      lock.unlock();
      runOnce(false);
      lock.lock();
      wake_.wait_for(lock, svc_.config.sweep_interval, [this] { return stopping_; });
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

namespace {

// One sweep that throws is logged and does not stop the others, nor the sweeper thread. Either
// way the sweep went round: its tick shows the loop is alive (its errors are in the log). A
// sweep whose lease another replica holds is that replica's to run.
template <class Sweep>
void guarded(SubsystemTicks& ticks, Leases& leases, const char* name, Sweep&& sweep) {
  try {
    if (leases.holds(name)) sweep();
  } catch (const std::exception& e) {
    spdlog::error("{} failed: {}", name, e.what());
  } catch (...) {
    spdlog::error("{} failed with an unknown exception", name);
  }
  ticks.tick(name);
}

}  // namespace

void Sweeper::runOnce(bool force) {
  // Not a job with a lease: heartbeats land on any replica, each must know the queued work.
  svc_.a2a_queue.learnQueued();
  guarded(svc_.ticks, svc_.leases, "liveness-sweep", [this] { livenessSweep(); });
  guarded(svc_.ticks, svc_.leases, "provision-timeout-sweep", [this] { provisionTimeoutSweep(); });
  guarded(svc_.ticks, svc_.leases, "scheduler", [this] { svc_.schedules.runDue(); });
  const auto now = std::chrono::steady_clock::now();
  if (force || now - last_health_ >= svc_.config.health_sweep_interval) {
    last_health_ = now;
    guarded(svc_.ticks, svc_.leases, "health-sweep", [this] { healthSweep(); });
  }
  if (force || now - last_orphan_ >= svc_.config.orphan_sweep_interval) {
    last_orphan_ = now;
    guarded(svc_.ticks, svc_.leases, "orphan-sweep", [this] { orphanSweep(); });
  }
  if (force || now - last_hibernation_ >= svc_.config.hibernation_sweep_interval) {
    last_hibernation_ = now;
    guarded(svc_.ticks, svc_.leases, "hibernation-monitor", [this] { hibernationSweep(); });
  }
  if (force || now - last_stalled_ >= svc_.config.orphan_sweep_interval) {
    last_stalled_ = now;
    guarded(svc_.ticks, svc_.leases, "stalled-work", [this] { stalledWorkSweep(); });
  }
  if (force || now - last_retention_ >= svc_.config.activity_cleanup_interval) {
    last_retention_ = now;
    guarded(svc_.ticks, svc_.leases, "activity-retention", [this] { activityRetentionSweep(); });
  }
}

void Sweeper::stalledWorkSweep() {
  if (auto requeued = svc_.a2a_queue.requeueStalled(); !requeued)
    spdlog::error("stalled-work sweep: {}", requeued.error().message);
  if (auto failed = svc_.delegations.failStalled(); !failed)
    spdlog::error("stalled-work sweep: {}", failed.error().message);
  else if (*failed > 0)
    spdlog::warn("stalled-work sweep: {} delegation(s) left in flight by a stopped server: failed", *failed);
}

void Sweeper::healthSweep() {
  PARITY_IMPL(liveness_probe, docker, "isRunningAuto every 15 s; a dead workload goes offline and is restarted");
  PARITY_IMPL(liveness_probe, swarm, "isRunningAuto every 15 s; a service gone or scaled to zero goes offline and is restarted (a task the engine reschedules counts as running)");
  PARITY_IMPL(liveness_probe, controlplane, "isRunningAuto every 15 s; a dead workload goes offline and is restarted");
  if (!svc_.workspaces.hasProvisioner()) return;
  auto live = svc_.store.listByStatus({Status::online, Status::degraded});
  if (!live) return spdlog::error("health sweep: {}", live.error().message);
  for (const auto& w : *live) {
    if (w.external) continue;
    const auto alive = svc_.workspaces.isRunningAuto(w.id);
    if (alive.error || alive.running) continue;  // uncertain answers never mark a workspace dead
    svc_.workspaces.markDeadAndRestart(w.id, "backend reports the workspace is not running");
  }
}

void Sweeper::orphanSweep() {
  PARITY_IMPL(orphan_sweep, docker, "listManagedAuto against the database, then stopWorkspaceAuto");
  PARITY_IMPL(orphan_sweep, swarm, "listManagedAuto against the database, then stopWorkspaceAuto");
  PARITY_IMPL(orphan_sweep, controlplane, "listManagedAuto against the database, then stopWorkspaceAuto");
  if (!svc_.workspaces.hasProvisioner()) return;
  auto managed = svc_.workspaces.listManagedAuto();
  if (!managed) return spdlog::warn("orphan sweep: {}", managed.error().message);
  if (managed->empty()) return;
  auto rows = svc_.store.listByStatus({});
  if (!rows) return spdlog::error("orphan sweep: {}", rows.error().message);
  for (const auto& id : *managed) {
    // Backends report full ids, or the 12-character prefix when that is all they carry.
    const Workspace* owner = nullptr;
    for (const auto& w : *rows)
      if (w.id == id || (id.size() < w.id.size() && w.id.rfind(id, 0) == 0)) owner = &w;
    if (owner && owner->status != Status::removed) continue;
    spdlog::warn("orphan sweep: reaping {} ({})", id, owner ? "workspace removed" : "no such workspace");
    if (auto stopped = svc_.workspaces.stopWorkspaceAuto(id); !stopped) {
      spdlog::warn("orphan sweep: stop {}: {}", id, stopped.error().message);
      continue;
    }
    if (auto removed = svc_.workspaces.removeVolumesAuto(id); !removed)
      spdlog::warn("orphan sweep: volumes of {}: {}", id, removed.error().message);
  }
}

void Sweeper::hibernationSweep() {
  // The reference measures idleness by the last heartbeat, which a live agent refreshes every
  // 30 s: it never fires. Idle here is no active task since the last change of status or
  // settings, the last heartbeat that reported work and the last activity row.
  auto idle = svc_.store.idleWorkspaces();
  if (!idle) return spdlog::error("hibernation sweep: {}", idle.error().message);
  const auto now_ms = unixMillis(nowTime()).value_or(0);
  for (const auto& candidate : *idle) {
    const auto since = unixMillis(candidate.idle_since);
    if (!since || now_ms - *since < std::int64_t{candidate.idle_minutes} * 60'000) continue;
    auto row = svc_.store.findWorkspace(candidate.id);
    if (!row || !*row) continue;
    spdlog::info("workspace {}: idle for {} minutes; hibernating it", candidate.id, candidate.idle_minutes);
    // Through the service: the same claim, hibernateWorkspaceAuto and events as POST /hibernate.
    if (auto r = svc_.workspaces.hibernate(**row, false); !r)
      spdlog::warn("hibernation sweep: {}: {}", candidate.id, r.error().message);
  }
}

void Sweeper::activityRetentionSweep() {
  const int days = svc_.config.activity_retention_days;
  if (days <= 0) return;  // kept forever
  auto purged = svc_.store.purgeActivityBefore(formatTime(Clock::now() - std::chrono::hours(24) * days));
  if (!purged) return spdlog::error("activity retention: {}", purged.error().message);
  if (*purged > 0) spdlog::info("activity retention: purged {} rows older than {} days", *purged, days);
}

void Sweeper::livenessSweep() {
  auto expired = svc_.liveness.expired();
  if (!expired) return spdlog::error("liveness sweep: {}", expired.error().message);
  for (const auto& id : *expired) {
    // Guarded by the status only: a heartbeat landing between the query and this change loses
    // the race, and its next heartbeat brings the workspace back online.
    auto changed = svc_.lifecycle.change(StatusChange::to(Status::offline, id,
                         {{"reason", "no heartbeat for " + std::to_string(svc_.config.liveness_ttl.count()) + "s"}})
            .from({Status::online, Status::degraded}));
    if (!changed) {
      spdlog::error("liveness sweep: {}", changed.error().message);
    } else if (*changed) {
      spdlog::info("workspace {} went offline (heartbeat silence)", id);
      svc_.workspaces.restartInBackground(id);  // skipped for external workspaces
    }
  }
}

void Sweeper::provisionTimeoutSweep() {
  const auto timeout = svc_.config.provision_timeout;
  auto stuck = svc_.store.provisioningSince(formatTime(Clock::now() - timeout));
  if (!stuck) return spdlog::error("provision-timeout sweep: {}", stuck.error().message);
  for (const auto& id : *stuck) {
    const std::string reason = "provisioning timed out after " + std::to_string(timeout.count()) +
                               "s without the agent registering";
    auto changed = svc_.lifecycle.change(StatusChange::to(Status::failed, id,
                         {{"error", reason}, {"timeout_secs", timeout.count()}, {"source", "provision_timeout_sweep"}})
            .from({Status::provisioning})
            .withError(reason));
    if (changed && *changed) spdlog::warn("workspace {}: {}", id, reason);
  }
}

}  // namespace ws
