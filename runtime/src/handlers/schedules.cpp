// Schedules (runtime-spec 6.3 "Schedules"): cron prompts a workspace receives through the A2A
// proxy. The schedule runner (service/schedules.h) fires due ones; POST .../run only returns
// the prompt for the caller to send itself.

#include <spdlog/spdlog.h>

#include "core/cron.h"
#include "core/json_input.h"
#include "core/util.h"
#include "handlers/routes.h"
#include "service/hierarchy.h"
#include "service/schedules.h"

namespace ws {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

constexpr std::size_t kMaxPromptBytes = 64 * 1024;

json orNull(const std::optional<std::string>& v) { return v ? json(*v) : json(nullptr); }

json scheduleJson(const ScheduleRecord& s) {
  return {{"id", s.id}, {"workspace_id", s.workspace_id}, {"name", s.name}, {"cron_expr", s.cron_expr},
          {"timezone", s.timezone}, {"prompt", s.prompt}, {"enabled", s.enabled}, {"last_run_at", orNull(s.last_run_at)},
          {"next_run_at", orNull(s.next_run_at)}, {"run_count", s.run_count}, {"last_status", s.last_status},
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
  s.next_run_at = s.enabled ? std::optional<std::string>(nextRunTime(*cron)) : std::nullopt;
  return std::nullopt;
}

/// The schedule `:scheduleId` of workspace `:id`, or the response to send.
std::variant<ScheduleRecord, Response> loadSchedule(Services& svc, const Request& req) {
  auto loaded = svc.workspaces.findLive(req.param("id"));
  if (!loaded) return Response::fromError(loaded.error());
  auto all = svc.store.listSchedules(loaded->id);
  if (!all) return Response::fromError(all.error());
  for (auto& s : *all)
    if (s.id == req.param("scheduleId")) return s;
  return Response::error(Errc::not_found, "no such schedule");
}

bool nameTaken(Services& svc, const ScheduleRecord& s) {
  auto all = svc.store.listSchedules(s.workspace_id);
  return all && std::any_of(all->begin(), all->end(), [&](const ScheduleRecord& o) { return o.name == s.name && o.id != s.id; });
}

Response list(Services& svc, const Request& req) {
  auto loaded = svc.workspaces.findLive(req.param("id"));
  if (!loaded) return Response::fromError(loaded.error());
  auto all = svc.store.listSchedules(loaded->id);
  if (!all) return Response::fromError(all.error());
  json out = json::array();
  for (const auto& s : *all) out.push_back(scheduleJson(s));
  return Response::json(200, out);
}

Response create(Services& svc, const Request& req) {
  auto loaded = svc.workspaces.findLive(req.param("id"));
  if (!loaded) return Response::fromError(loaded.error());
  ScheduleRecord s;
  s.id = newUuid();
  s.workspace_id = loaded->id;
  JsonInput in(req.body);
  if (auto bad = apply(in, s)) return Response::error(Errc::invalid_argument, *bad);
  if (nameTaken(svc, s)) return Response::error(Errc::conflict, "a schedule named " + s.name + " exists");
  s.created_at = s.updated_at = nowTime();
  if (auto r = svc.store.putSchedule(s); !r) return Response::fromError(r.error());
  return Response::json(201, {{"id", s.id}, {"status", "created"}, {"next_run_at", s.next_run_at.value_or("")}});
}

Response update(Services& svc, const Request& req) {
  auto loaded = loadSchedule(svc, req);
  if (auto* r = std::get_if<Response>(&loaded)) return *r;
  auto s = std::get<ScheduleRecord>(std::move(loaded));
  JsonInput in(req.body);
  if (auto bad = apply(in, s)) return Response::error(Errc::invalid_argument, *bad);
  if (nameTaken(svc, s)) return Response::error(Errc::conflict, "a schedule named " + s.name + " exists");
  s.updated_at = nowTime();
  if (auto r = svc.store.putSchedule(s); !r) return Response::fromError(r.error());
  return Response::json(200, scheduleJson(s));
}

Response remove(Services& svc, const Request& req) {
  auto loaded = svc.workspaces.findLive(req.param("id"));
  if (!loaded) return Response::fromError(loaded.error());
  auto removed = svc.store.deleteSchedule(loaded->id, req.param("scheduleId"));
  if (!removed) return Response::fromError(removed.error());
  if (!*removed) return Response::error(Errc::not_found, "no such schedule");
  return Response::json(200, {{"status", "deleted"}});
}

Response run(Services& svc, const Request& req) {
  auto loaded = loadSchedule(svc, req);
  if (auto* r = std::get_if<Response>(&loaded)) return *r;
  const auto& s = std::get<ScheduleRecord>(loaded);
  return Response::json(200, {{"status", "fired"}, {"workspace_id", s.workspace_id}, {"prompt", s.prompt}});
}

Response history(Services& svc, const Request& req) {
  auto loaded = loadSchedule(svc, req);
  if (auto* r = std::get_if<Response>(&loaded)) return *r;
  const auto& s = std::get<ScheduleRecord>(loaded);
  ActivityFilter f;
  f.workspace_id = s.workspace_id;
  f.type = "cron_run";
  f.limit = 500;
  auto rows = svc.store.listActivity(f);
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

// GET /workspaces/:id/schedules/health: for the workspaces that may talk to :id (its peers, to
// notice a cron that silently stopped), named by X-Workspace-ID and proven by that caller's token.
// Execution state only: never the prompt nor the cron expression.
Response health(Services& svc, const Request& req) {
  const std::string caller = req.header("x-workspace-id").value_or("");
  if (caller.empty()) return Response::error(Errc::unauthorized, "X-Workspace-ID header required");
  if (!isUuid(caller)) return Response::error(Errc::invalid_argument, "invalid X-Workspace-ID");
  if (auto denied = svc.auth.tokenGate(req, caller)) return *denied;
  auto target = svc.workspaces.findLive(req.param("id"));
  if (!target) return Response::fromError(target.error());
  auto allowed = canCommunicate(svc.store, caller, target->id);
  if (!allowed) return Response::fromError(allowed.error());
  if (!*allowed) return Response::error(Errc::forbidden, "access denied");
  auto all = svc.store.listSchedules(target->id);
  if (!all) return Response::fromError(all.error());
  json out = json::array();
  for (const auto& s : *all)
    out.push_back({{"id", s.id}, {"name", s.name}, {"enabled", s.enabled}, {"last_run_at", orNull(s.last_run_at)},
                   {"next_run_at", orNull(s.next_run_at)}, {"run_count", s.run_count},
                   {"last_status", s.last_status}, {"last_error", s.last_error}});
  return Response::json(200, out);
}

// GET /admin/schedules/health: every schedule of every workspace, and whether it keeps up.
Response adminHealth(Services& svc) {
  auto all = svc.store.listAllSchedules();
  if (!all) return Response::fromError(all.error());
  const auto now = Clock::now();
  json out = json::array();
  for (const auto& [s, workspace_name] : *all) {
    const auto h = scheduleHealth(s, now);
    out.push_back({{"workspace_id", s.workspace_id}, {"workspace_name", workspace_name}, {"schedule_id", s.id},
                   {"schedule_name", s.name}, {"cron_expr", s.cron_expr}, {"last_run_at", orNull(s.last_run_at)},
                   {"expected_next_run", orNull(s.next_run_at)}, {"status", h.status},
                   {"stale_threshold_seconds", h.stale_threshold_seconds}});
  }
  return Response::json(200, out);
}

}  // namespace

void registerScheduleRoutes(Router& router, Services& svc) {
  router.add("GET", "/workspaces/:id/schedules", AuthPolicy::workspace, [&svc](const Request& r) { return list(svc, r); });
  router.add("POST", "/workspaces/:id/schedules", AuthPolicy::workspace, [&svc](const Request& r) { return create(svc, r); });
  router.add("PATCH", "/workspaces/:id/schedules/:scheduleId", AuthPolicy::workspace, [&svc](const Request& r) { return update(svc, r); });
  router.add("DELETE", "/workspaces/:id/schedules/:scheduleId", AuthPolicy::workspace, [&svc](const Request& r) { return remove(svc, r); });
  router.add("POST", "/workspaces/:id/schedules/:scheduleId/run", AuthPolicy::workspace, [&svc](const Request& r) { return run(svc, r); });
  router.add("GET", "/workspaces/:id/schedules/:scheduleId/history", AuthPolicy::workspace,
             [&svc](const Request& r) { return history(svc, r); });
  // Open at the router: the handler authenticates the caller (X-Workspace-ID + its token).
  router.add("GET", "/workspaces/:id/schedules/health", AuthPolicy::open, [&svc](const Request& r) { return health(svc, r); });
  router.add("GET", "/admin/schedules/health", AuthPolicy::admin, [&svc](const Request&) { return adminHealth(svc); });
}

}  // namespace ws
