// What a workspace did, read back: the session search over its activity and memories, and its
// transcript (the activity log, oldest first, polled with a cursor).

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

}  // namespace

void registerSessionRoutes(Router& router, Services& svc) {
  router.add("GET", "/workspaces/:id/session-search", AuthPolicy::workspace, [&svc](const Request& r) { return search(svc, r); });
  router.add("GET", "/workspaces/:id/transcript", AuthPolicy::workspace, [&svc](const Request& r) { return transcript(svc, r); });
}

}  // namespace ws
