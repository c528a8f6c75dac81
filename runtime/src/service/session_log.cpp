#include "service/session_log.h"

namespace ws {

Result<std::vector<SessionItem>> SessionLog::search(const std::string& workspace_id, const std::string& query, int limit) {
  const auto first = query.find_first_not_of(" \t\r\n");
  const std::string needle = first == std::string::npos ? "" : query.substr(first, query.find_last_not_of(" \t\r\n") - first + 1);
  if (needle.size() > kMaxQueryBytes) return makeError(Errc::invalid_argument, "q is at most 1000 bytes");
  return store_.searchSession(workspace_id, needle, limit);
}

Result<SessionLog::Page> SessionLog::transcript(const std::string& workspace_id, std::int64_t since, int limit) {
  if (since < 0) return makeError(Errc::invalid_argument, "since and limit must be integers");
  ActivityFilter f;
  f.workspace_id = workspace_id;
  f.after_id = since;
  f.oldest_first = true;
  f.limit = limit + 1;  // one more tells whether there is more
  auto rows = store_.listActivity(f);
  if (!rows) return rows.error();
  Page page;
  page.more = rows->size() > static_cast<std::size_t>(limit);
  if (page.more) rows->pop_back();
  page.lines = std::move(*rows);
  page.cursor = page.lines.empty() ? since : page.lines.back().id;
  return page;
}

Result<std::vector<ActivityRecord>> SessionLog::traces(const std::string& workspace_id, int limit) {
  if (limit < 1) return makeError(Errc::invalid_argument, "limit must be a positive integer");
  ActivityFilter f;
  f.workspace_id = workspace_id;
  f.type = "a2a_receive";
  f.limit = limit;
  return store_.listActivity(f);
}

}  // namespace ws
