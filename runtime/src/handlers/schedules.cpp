// Schedules (runtime-spec 6.3 "Schedules"): cron prompts a workspace receives through the A2A
// proxy. The sweeper fires due ones in the background and logs a cron_run activity row each
// time; POST .../run only returns the prompt for the caller to send itself.

#include <spdlog/spdlog.h>

#include "../core/cron.h"
#include "../core/util.h"
#include "app.h"
#include "json_input.h"
#include "parity/parity.h"

namespace ws {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

constexpr std::size_t kMaxPromptBytes = 64 * 1024;
constexpr auto kFireTimeout = 300s;

std::string nextRun(const CronSchedule& cron) { return formatTime(cron.next(Clock::now())); }

json scheduleJson(const ScheduleRecord& s) {
  auto opt = [](const std::optional<std::string>& v) { return v ? json(*v) : json(nullptr); };
  return {{"id", s.id}, {"workspace_id", s.workspace_id}, {"name", s.name}, {"cron_expr", s.cron_expr},
          {"timezone", s.timezone}, {"prompt", s.prompt}, {"enabled", s.enabled}, {"last_run_at", opt(s.last_run_at)},
          {"next_run_at", opt(s.next_run_at)}, {"run_count", s.run_count}, {"last_status", s.last_status},
          {"last_error", s.last_error}, {"source", s.source}, {"created_at", s.created_at}, {"updated_at", s.updated_at}};
}

/// Applies the fields present in `in` to `s`; the error message, or nothing.
std::optional<std::string> apply(JsonInput& in, ScheduleRecord& s) {
  if (auto v = in.string("name")) s.name = *v;
  if (auto v = in.string("cron_expr")) s.cron_expr = *v;
  if (auto v = in.string("timezone")) s.timezone = v->empty() ? "UTC" : *v;
  if (auto v = in.string("prompt")) {
    s.prompt.clear();
    for (char ch : *v)
      if (ch != '\r') s.prompt += ch;
  }
  if (auto v = in.boolean("enabled")) s.enabled = *v;
  if (in.error()) return *in.error();
  if (s.name.empty() || s.name.size() > 200) return "name is required (at most 200 characters)";
  if (s.prompt.empty()) return "prompt is required";
  if (s.prompt.size() > kMaxPromptBytes) return "prompt is at most 64 KiB";
  if (s.timezone != "UTC" && s.timezone != "Etc/UTC") return "only UTC schedules are supported (timezone: UTC)";
  auto cron = CronSchedule::parse(s.cron_expr);
  if (!cron) return cron.error().message;
  s.next_run_at = s.enabled ? std::optional<std::string>(nextRun(*cron)) : std::nullopt;
  return std::nullopt;
}

/// The schedule `:scheduleId` of workspace `:id`, or the response to send.
std::variant<ScheduleRecord, Response> loadSchedule(App& app, const Request& req) {
  auto loaded = loadLiveWorkspace(app.store, req.param("id"));
  if (loaded.error) return *loaded.error;
  auto all = app.store.listSchedules(loaded.workspace->id);
  if (!all) return Response::fromError(all.error());
  for (auto& s : *all)
    if (s.id == req.param("scheduleId")) return s;
  return Response::error(404, "no such schedule");
}

bool nameTaken(App& app, const ScheduleRecord& s) {
  auto all = app.store.listSchedules(s.workspace_id);
  return all && std::any_of(all->begin(), all->end(), [&](const ScheduleRecord& o) { return o.name == s.name && o.id != s.id; });
}

Response list(App& app, const Request& req) {
  auto loaded = loadLiveWorkspace(app.store, req.param("id"));
  if (loaded.error) return *loaded.error;
  auto all = app.store.listSchedules(loaded.workspace->id);
  if (!all) return Response::fromError(all.error());
  json out = json::array();
  for (const auto& s : *all) out.push_back(scheduleJson(s));
  return Response::json(200, out);
}

Response create(App& app, const Request& req) {
  auto loaded = loadLiveWorkspace(app.store, req.param("id"));
  if (loaded.error) return *loaded.error;
  ScheduleRecord s;
  s.id = newUuid();
  s.workspace_id = loaded.workspace->id;
  JsonInput in(req.body);
  if (auto bad = apply(in, s)) return Response::error(400, *bad);
  if (nameTaken(app, s)) return Response::error(409, "a schedule named " + s.name + " exists");
  s.created_at = s.updated_at = nowTime();
  if (auto r = app.store.putSchedule(s); !r) return Response::fromError(r.error());
  return Response::json(201, {{"id", s.id}, {"status", "created"}, {"next_run_at", s.next_run_at.value_or("")}});
}

Response update(App& app, const Request& req) {
  auto loaded = loadSchedule(app, req);
  if (auto* r = std::get_if<Response>(&loaded)) return *r;
  auto s = std::get<ScheduleRecord>(std::move(loaded));
  JsonInput in(req.body);
  if (auto bad = apply(in, s)) return Response::error(400, *bad);
  if (nameTaken(app, s)) return Response::error(409, "a schedule named " + s.name + " exists");
  s.updated_at = nowTime();
  if (auto r = app.store.putSchedule(s); !r) return Response::fromError(r.error());
  return Response::json(200, scheduleJson(s));
}

Response remove(App& app, const Request& req) {
  auto loaded = loadLiveWorkspace(app.store, req.param("id"));
  if (loaded.error) return *loaded.error;
  auto removed = app.store.deleteSchedule(loaded.workspace->id, req.param("scheduleId"));
  if (!removed) return Response::fromError(removed.error());
  if (!*removed) return Response::error(404, "no such schedule");
  return Response::json(200, {{"status", "deleted"}});
}

Response run(App& app, const Request& req) {
  auto loaded = loadSchedule(app, req);
  if (auto* r = std::get_if<Response>(&loaded)) return *r;
  const auto& s = std::get<ScheduleRecord>(loaded);
  return Response::json(200, {{"status", "fired"}, {"workspace_id", s.workspace_id}, {"prompt", s.prompt}});
}

Response history(App& app, const Request& req) {
  auto loaded = loadSchedule(app, req);
  if (auto* r = std::get_if<Response>(&loaded)) return *r;
  const auto& s = std::get<ScheduleRecord>(loaded);
  ActivityFilter f;
  f.workspace_id = s.workspace_id;
  f.type = "cron_run";
  f.limit = 500;
  auto rows = app.store.listActivity(f);
  if (!rows) return Response::fromError(rows.error());
  json out = json::array();
  for (const auto& a : *rows) {
    if (a.method != "schedule:" + s.id) continue;
    out.push_back({{"timestamp", a.created_at}, {"duration_ms", a.duration_ms ? json(*a.duration_ms) : json(nullptr)},
                   {"status", a.status}, {"error_detail", a.error_detail}, {"request", parseStoredJson(a.request_body)}});
    if (out.size() == 20) break;
  }
  return Response::json(200, out);
}

/// Sends the schedule's prompt and records how it went.
void fire(App& app, ScheduleRecord s, const Workspace& target) {
  const json rpc{{"method", "message/send"},
                 {"params", {{"message", {{"role", "user"}, {"parts", {{{"kind", "text"}, {"text", s.prompt}}}}}}}}};
  const auto t0 = std::chrono::steady_clock::now();
  const Response answer = sendA2a(app, target, rpc, kFireTimeout);
  ActivityRecord a;
  a.workspace_id = s.workspace_id;
  a.activity_type = "cron_run";
  a.method = "schedule:" + s.id;
  a.summary = "schedule " + s.name;
  a.request_body = rpc.dump();
  a.duration_ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
  a.status = answer.status >= 200 && answer.status < 300 ? "ok" : "error";
  if (a.status == "error") a.error_detail = answer.body.substr(0, 2048);
  a.created_at = nowTime();
  (void)app.store.insertActivity(a);
  s.last_status = a.status;
  s.last_error = a.error_detail;
  s.updated_at = a.created_at;
  // Written over the row claimed at dispatch; an edit made meanwhile keeps its own fields.
  auto current = app.store.listSchedules(s.workspace_id);
  if (current)
    for (auto& c : *current)
      if (c.id == s.id) {
        c.last_status = s.last_status;
        c.last_error = s.last_error;
        c.updated_at = s.updated_at;
        (void)app.store.putSchedule(c);
      }
}

}  // namespace

void runDueSchedules(App& app) {
  PARITY_IMPL(schedule_execution, docker, "the scheduler sweep sends due prompts through the A2A proxy");
  PARITY_IMPL(schedule_execution, ec2, "the scheduler sweep sends due prompts through the A2A proxy");
  auto due = app.store.listSchedules("");
  if (!due) return spdlog::error("schedules: {}", due.error().message);
  const std::string now = nowTime();
  for (auto& s : *due) {
    if (!s.next_run_at || *s.next_run_at > now) continue;
    auto cron = CronSchedule::parse(s.cron_expr);
    if (!cron) continue;
    auto target = app.store.findWorkspace(s.workspace_id);
    if (!target || !*target) continue;
    // Claim this run before sending, so that the next sweep does not fire it again.
    s.last_run_at = now;
    s.next_run_at = nextRun(*cron);
    ++s.run_count;
    if (auto r = app.store.putSchedule(s); !r) continue;
    const Workspace w = **target;
    if (!isServing(w.status)) continue;  // skipped, not queued
    app.workspaces.runInBackground([&app, s, w] { fire(app, s, w); });
  }
}

void registerScheduleRoutes(Router& router, App& app) {
  router.add("GET", "/workspaces/:id/schedules", AuthPolicy::workspace, [&app](const Request& r) { return list(app, r); });
  router.add("POST", "/workspaces/:id/schedules", AuthPolicy::workspace, [&app](const Request& r) { return create(app, r); });
  router.add("PATCH", "/workspaces/:id/schedules/:scheduleId", AuthPolicy::workspace, [&app](const Request& r) { return update(app, r); });
  router.add("DELETE", "/workspaces/:id/schedules/:scheduleId", AuthPolicy::workspace, [&app](const Request& r) { return remove(app, r); });
  router.add("POST", "/workspaces/:id/schedules/:scheduleId/run", AuthPolicy::workspace, [&app](const Request& r) { return run(app, r); });
  router.add("GET", "/workspaces/:id/schedules/:scheduleId/history", AuthPolicy::workspace,
             [&app](const Request& r) { return history(app, r); });
}

}  // namespace ws
