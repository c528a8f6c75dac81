// The activity log (runtime-spec 6.3 "Activity"), with before_ts paging and a peer_id filter,
// and an agent's messages to its user (notify).

#include <array>
#include <regex>

#include "core/json_input.h"
#include "core/util.h"
#include "handlers/routes.h"
#include "parity/parity.h"

namespace ws {
namespace {

using nlohmann::json;

constexpr std::array<std::string_view, 7> kTypes{"a2a_send",         "a2a_receive",  "task_update", "agent_log",
                                                 "skill_promotion", "memory_write", "error"};

bool knownType(std::string_view t) {
  for (auto k : kTypes)
    if (k == t) return true;
  return false;
}

std::string knownTypeList() {
  std::string out;
  for (auto k : kTypes) out += (out.empty() ? "" : ", ") + std::string(k);
  return out;
}

bool isTimestamp(const std::string& s) {
  static const std::regex kRfc3339(R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z)");
  return std::regex_match(s, kRfc3339);
}

Response list(Services& svc, const Request& req) {
  PARITY_IMPL(activity_before_ts, docker, "database query, backend-agnostic");
  PARITY_IMPL(activity_before_ts, swarm, "database query, backend-agnostic");
  PARITY_IMPL(activity_before_ts, controlplane, "database query, backend-agnostic");
  PARITY_IMPL(activity_peer_filter, docker, "database query, backend-agnostic");
  PARITY_IMPL(activity_peer_filter, swarm, "database query, backend-agnostic");
  PARITY_IMPL(activity_peer_filter, controlplane, "database query, backend-agnostic");
  auto loaded = svc.workspaces.findLive(req.param("id"));
  if (!loaded) return Response::fromError(loaded.error());
  ActivityFilter f;
  f.workspace_id = loaded->id;
  if (auto type = req.queryParam("type"); type && !type->empty()) {
    if (!knownType(*type) && *type != "cron_run" && *type != "delegation") return Response::error(Errc::invalid_argument, "invalid activity_type, must be one of: " + knownTypeList());
    f.type = *type;
  }
  if (auto source = req.queryParam("source"); source && !source->empty()) {
    if (*source != "canvas" && *source != "agent") return Response::error(Errc::invalid_argument, "source must be canvas or agent");
    f.from_agent = *source == "agent";
  }
  if (auto peer = req.queryParam("peer_id"); peer && !peer->empty()) {
    if (!isUuid(*peer)) return Response::error(Errc::invalid_argument, "peer_id must be a UUID");
    f.peer_id = *peer;
  }
  if (auto before = req.queryParam("before_ts"); before && !before->empty()) {
    if (!isTimestamp(*before)) return Response::error(Errc::invalid_argument, "before_ts must be an RFC 3339 UTC timestamp");
    f.before_ts = *before;
  }
  auto limit = readLimitParam(req, 100, 500);
  if (!limit) return Response::error(Errc::invalid_argument, "limit must be a positive integer");
  f.limit = *limit;
  auto rows = svc.store.listActivity(f);
  if (!rows) return Response::fromError(rows.error());
  json out = json::array();
  for (const auto& a : *rows) out.push_back(activityJson(a));
  return Response::json(200, out);
}

Response log(Services& svc, const Request& req) {
  auto loaded = svc.workspaces.findLive(req.param("id"));
  if (!loaded) return Response::fromError(loaded.error());
  const auto& id = loaded->id;
  JsonInput in(req.body);
  ActivityRecord a;
  a.workspace_id = id;
  a.activity_type = in.string("activity_type").value_or("");
  a.method = in.string("method").value_or("");
  a.summary = in.string("summary").value_or("");
  a.source_id = in.string("source_id");
  a.target_id = in.string("target_id");
  a.status = in.string("status").value_or("ok");
  a.error_detail = in.string("error_detail").value_or("");
  a.duration_ms = in.integer("duration_ms");
  a.request_body = in.has("request_body") ? in.rawJson("request_body") : in.rawJson("metadata");
  a.response_body = in.rawJson("response_body");
  a.tool_trace = in.rawJson("tool_trace");
  if (in.error()) return Response::error(Errc::invalid_argument, *in.error());
  if (a.activity_type.empty()) return Response::error(Errc::invalid_argument, "activity_type is required");
  if (!knownType(a.activity_type))
    return Response::error(Errc::invalid_argument, "invalid activity_type, must be one of: " + knownTypeList());
  // An agent (its workspace's token) reports as itself; the admin's rows stay the canvas's.
  if (a.source_id && a.source_id->empty()) a.source_id.reset();
  if (!a.source_id && !svc.auth.isAdmin(req)) a.source_id = id;
  if (a.source_id && *a.source_id != id)
    return Response::error(Errc::forbidden, "source_id must match authenticated workspace");
  if (a.target_id && !isUuid(*a.target_id)) return Response::error(Errc::invalid_argument, "target_id must be a UUID");
  if (a.duration_ms && *a.duration_ms < 0) return Response::error(Errc::invalid_argument, "duration_ms must be >= 0");
  if (a.summary.size() > 4096 || a.method.size() > 256 || a.error_detail.size() > 16384)
    return Response::error(Errc::invalid_argument, "summary, method or error_detail too long");
  a.created_at = nowTime();
  auto inserted = svc.store.insertActivity(a);
  if (!inserted) return Response::fromError(inserted.error());
  svc.events().broadcast("ACTIVITY_LOGGED", id, {{"id", *inserted}, {"activity_type", a.activity_type}});
  return Response::json(200, {{"status", "logged"}, {"id", *inserted}});
}

// The attachments of a notify body; nothing (and a recorded error) when malformed.
std::vector<MessageAttachment> readAttachments(JsonInput& in) {
  std::vector<MessageAttachment> out;
  if (!in.has("attachments") || in.isNull("attachments")) return out;
  const auto& list = in.body()["attachments"];
  if (!list.is_array()) {
    in.fail("attachments must be an array");
    return out;
  }
  for (std::size_t i = 0; i < list.size(); ++i) {
    const auto& a = list[i];
    const std::string at = "attachment[" + std::to_string(i) + "]";
    if (!a.is_object()) {
      in.fail(at + ": must be an object");
      return {};
    }
    MessageAttachment m;
    const auto text = [&](const char* key, std::string& into) {
      if (!a.contains(key) || a[key].is_null()) return;
      if (a[key].is_string()) into = a[key].get<std::string>();
      else in.fail(at + ": " + key + " must be a string");
    };
    text("uri", m.uri);
    text("name", m.name);
    text("mimeType", m.mime_type);
    if (a.contains("size") && !a["size"].is_null()) {
      if (a["size"].is_number_integer()) m.size = a["size"].get<std::int64_t>();
      else in.fail(at + ": size must be an integer");
    }
    out.push_back(std::move(m));
  }
  return out;
}

Response notify(Services& svc, const Request& req) {
  auto loaded = svc.workspaces.findLive(req.param("id"));
  if (!loaded) return Response::fromError(loaded.error());
  JsonInput in(req.body);
  const auto message = in.string("message");
  const auto attachments = readAttachments(in);
  if (in.error()) return Response::error(Errc::invalid_argument, *in.error());
  if (auto sent = svc.messages.send(*loaded, message.value_or(""), attachments); !sent) return Response::fromError(sent.error());
  return Response::json(200, {{"status", "sent"}});
}

}  // namespace

void registerActivityRoutes(Router& router, Services& svc) {
  router.add("GET", "/workspaces/:id/activity", AuthPolicy::workspace, [&svc](const Request& r) { return list(svc, r); });
  router.add("POST", "/workspaces/:id/activity", AuthPolicy::workspace, [&svc](const Request& r) { return log(svc, r); });
  router.add("POST", "/workspaces/:id/notify", AuthPolicy::workspace, [&svc](const Request& r) { return notify(svc, r); });
}

}  // namespace ws
