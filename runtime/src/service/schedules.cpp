#include "service/schedules.h"

#include <spdlog/spdlog.h>

#include "core/util.h"
#include "parity/parity.h"
#include "service/a2a_queue.h"

namespace ws {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

constexpr auto kFireTimeout = 300s;

}  // namespace

std::string nextRunTime(const CronSchedule& cron) { return formatTime(cron.next(Clock::now())); }

ScheduleHealth scheduleHealth(const ScheduleRecord& s, Clock::time_point now) {
  ScheduleHealth h;
  if (auto cron = CronSchedule::parse(s.cron_expr)) {
    const auto first = cron->next(now);
    h.stale_threshold_seconds = 2 * std::chrono::duration_cast<std::chrono::seconds>(cron->next(first) - first).count();
  }
  const auto last = s.last_run_at ? unixMillis(*s.last_run_at) : std::nullopt;
  if (!last) {
    h.status = "never_run";
    return h;
  }
  const auto age_ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() - *last;
  h.status = h.stale_threshold_seconds > 0 && age_ms > h.stale_threshold_seconds * 1000 ? "stale" : "ok";
  return h;
}

void ScheduleRunner::runDue() {
  PARITY_IMPL(schedule_execution, docker, "the scheduler sweep sends due prompts through the A2A proxy");
  PARITY_IMPL(schedule_execution, swarm, "the scheduler sweep sends due prompts through the A2A proxy");
  PARITY_IMPL(schedule_execution, controlplane, "the scheduler sweep sends due prompts through the A2A proxy");
  auto due = store_.listSchedules("");
  if (!due) return spdlog::error("schedules: {}", due.error().message);
  const std::string now = nowTime();
  for (auto& s : *due) {
    if (!s.next_run_at || *s.next_run_at > now) continue;
    auto cron = CronSchedule::parse(s.cron_expr);
    if (!cron) continue;
    auto target = store_.findWorkspace(s.workspace_id);
    if (!target || !*target) continue;
    // Claim this run before sending, so that the next sweep does not fire it again.
    s.last_run_at = now;
    s.next_run_at = nextRunTime(*cron);
    ++s.run_count;
    if (auto r = store_.putSchedule(s); !r) continue;
    const Workspace w = **target;
    if (!isServing(w.status)) continue;  // skipped, not queued
    workspaces_.runInBackground([this, s, w] { fire(s, w); });
  }
}

void ScheduleRunner::fire(ScheduleRecord s, const Workspace& target) {
  const json rpc{{"method", "message/send"},
                 {"params", {{"message", {{"role", "user"}, {"parts", {{{"kind", "text"}, {"text", s.prompt}}}}}}}}};
  const auto t0 = std::chrono::steady_clock::now();
  A2aQueue::NoQueueing direct;  // a run that finds the agent busy fails (and is recorded so)
  const A2aReply answer = a2a_.send(target, rpc, kFireTimeout);
  ActivityRecord a;
  a.workspace_id = s.workspace_id;
  a.activity_type = "cron_run";
  a.method = "schedule:" + s.id;
  a.summary = "schedule " + s.name;
  a.request_body = rpc.dump();
  a.duration_ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
  a.status = answer.ok() ? "ok" : "error";
  if (a.status == "error") a.error_detail = answer.body.substr(0, 2048);
  a.created_at = nowTime();
  (void)store_.insertActivity(a);
  s.last_status = a.status;
  s.last_error = a.error_detail;
  s.updated_at = a.created_at;
  // Written over the row claimed at dispatch; an edit made meanwhile keeps its own fields.
  auto current = store_.listSchedules(s.workspace_id);
  if (current)
    for (auto& c : *current)
      if (c.id == s.id) {
        c.last_status = s.last_status;
        c.last_error = s.last_error;
        c.updated_at = s.updated_at;
        (void)store_.putSchedule(c);
      }
}

}  // namespace ws
