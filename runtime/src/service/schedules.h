#pragma once
// The schedule runner (runtime-spec 6.3 "Schedules"): every due, enabled schedule of a live
// workspace is claimed (its next run computed) and its prompt sent through A2A in the
// background; each run is logged as a cron_run activity row and recorded on the schedule.

#include <string>

#include "core/cron.h"
#include "core/util.h"
#include "service/a2a.h"
#include "service/workspace_service.h"
#include "ws/store.h"

namespace ws {

/// The next time `cron` fires after now, as a stored timestamp.
std::string nextRunTime(const CronSchedule& cron);

/// How a schedule keeps up (GET /admin/schedules/health): `never_run`, `stale` once its last run
/// is older than twice its interval (the gap between its next two runs), or `ok`. A cron
/// expression that does not parse has a threshold of 0 and is never stale.
struct ScheduleHealth {
  std::string status;
  std::int64_t stale_threshold_seconds = 0;
};
ScheduleHealth scheduleHealth(const ScheduleRecord& s, Clock::time_point now);

class ScheduleRunner {
 public:
  ScheduleRunner(Store& store, A2aDelivery& a2a, WorkspaceService& workspaces)
      : store_(store), a2a_(a2a), workspaces_(workspaces) {}

  /// Fires every enabled schedule that is due, in the background (the scheduler sweep).
  void runDue();

 private:
  /// Sends the schedule's prompt and records how it went.
  void fire(ScheduleRecord s, const Workspace& target);

  Store& store_;
  A2aDelivery& a2a_;
  WorkspaceService& workspaces_;
};

}  // namespace ws
