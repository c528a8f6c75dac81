// What a workspace did, read back: the session search over its activity and memories, its
// transcript (the activity log, oldest first, polled with a cursor), and the traces of its
// agent's runs.

#include <charconv>

#include "handlers/routes.h"

namespace ws {
namespace {

using nlohmann::json;

json itemJson(const SessionItem& s) {
  json j{{"kind", s.kind},       {"id", s.id},         {"workspace_id", s.workspace_id}, {"label", s.label},
         {"content", s.content}, {"method", s.method}, {"status", s.status},             {"created_at", s.created_at}};
  if (s.request_body) j["request_body"] = parseStoredJson(s.request_body);
  if (s.response_body) j["response_body"] = parseStoredJson(s.response_body);
  return j;
}

Response search(Services& svc, const Request& req) {
  auto w = svc.workspaces.findLive(req.param("id"));
  if (!w) return Response::fromError(w.error());
  auto limit = readLimitParam(req, SessionLog::kSearchLimit, SessionLog::kMaxSearchLimit);
  if (!limit) return Response::error(Errc::invalid_argument, "limit must be a positive integer");
  auto items = svc.session_log.search(w->id, req.queryParam("q").value_or(""), *limit);
  if (!items) return Response::fromError(items.error());
  json out = json::array();
  for (const auto& s : *items) out.push_back(itemJson(s));
  return Response::json(200, out);
}

Response transcript(Services& svc, const Request& req) {
  auto w = svc.workspaces.findLive(req.param("id"));
  if (!w) return Response::fromError(w.error());
  std::int64_t since = 0;
  if (auto raw = req.queryParam("since"); raw && !raw->empty()) {
    const auto* end = raw->data() + raw->size();
    auto [ptr, ec] = std::from_chars(raw->data(), end, since);
    if (ec != std::errc() || ptr != end || since < 0) return Response::error(Errc::invalid_argument, "since and limit must be integers");
  }
  auto limit = readLimitParam(req, SessionLog::kTranscriptLimit, SessionLog::kMaxTranscriptLimit);
  if (!limit) return Response::error(Errc::invalid_argument, "since and limit must be integers");
  auto page = svc.session_log.transcript(w->id, since, *limit);
  if (!page) return Response::fromError(page.error());
  json lines = json::array();
  for (const auto& a : page->lines) lines.push_back(activityJson(a));
  return Response::json(200, {{"runtime", w->runtime},
                              {"supported", true},
                              {"lines", std::move(lines)},
                              {"cursor", page->cursor},
                              {"more", page->more},
                              {"source", "activity_log"}});
}

// A run in the shape Langfuse lists traces in (the reference proxies Langfuse here): the
// request as input, the answer as output, the tool calls as observations. `latency` is in
// milliseconds, as the canvas reads it.
json traceJson(const ActivityRecord& a) {
  json metadata{{"activity_id", a.id}, {"activity_type", a.activity_type}, {"summary", a.summary}, {"status", a.status}};
  if (a.source_id) metadata["source_id"] = *a.source_id;
  if (a.target_id) metadata["target_id"] = *a.target_id;
  if (!a.error_detail.empty()) metadata["error_detail"] = a.error_detail;
  const json tool_trace = parseStoredJson(a.tool_trace);
  const bool failed = a.status == "error" || a.status == "timeout";
  return {{"id", std::to_string(a.id)},
          {"name", a.method.empty() ? a.activity_type : a.method},
          {"timestamp", a.created_at},
          {"input", parseStoredJson(a.request_body)},
          {"output", parseStoredJson(a.response_body)},
          {"latency", a.duration_ms ? json(*a.duration_ms) : json(nullptr)},
          {"status", failed ? "ERROR" : "OK"},
          {"observations", tool_trace.is_array() ? tool_trace : json::array()},
          {"tags", json::array({a.workspace_id})},
          {"userId", a.source_id ? json(*a.source_id) : json(nullptr)},  // the caller; null for the canvas
          {"metadata", std::move(metadata)}};
}

Response traces(Services& svc, const Request& req) {
  auto w = svc.workspaces.findLive(req.param("id"));
  if (!w) return Response::fromError(w.error());
  auto limit = readLimitParam(req, SessionLog::kTraceLimit, SessionLog::kMaxTraceLimit);
  if (!limit) return Response::error(Errc::invalid_argument, "limit must be a positive integer");
  auto runs = svc.session_log.traces(w->id, *limit);
  if (!runs) return Response::fromError(runs.error());
  json data = json::array();
  for (const auto& a : *runs) data.push_back(traceJson(a));
  return Response::json(200, {{"data", std::move(data)}});
}

}  // namespace

void registerSessionRoutes(Router& router, Services& svc) {
  router.add("GET", "/workspaces/:id/session-search", AuthPolicy::workspace, [&svc](const Request& r) { return search(svc, r); });
  router.add("GET", "/workspaces/:id/transcript", AuthPolicy::workspace, [&svc](const Request& r) { return transcript(svc, r); });
  router.add("GET", "/workspaces/:id/traces", AuthPolicy::workspace, [&svc](const Request& r) { return traces(svc, r); });
}

}  // namespace ws
