#include "service/chat_history.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "core/json.h"
#include "core/util.h"
#include "parity/parity.h"
#include "service/memory_backup.h"

namespace ws {
namespace {

using nlohmann::json;

const json& member(const json& j, const char* key) {
  static const json kNull;
  return j.is_object() && j.contains(key) ? j[key] : kNull;
}

std::string stringMember(const json& j, const char* key) {
  const json& v = member(j, key);
  return v.is_string() ? v.get<std::string>() : "";
}

// The text parts of an A2A parts list ("kind" since A2A 0.2, "type" before), one per line.
std::optional<std::string> partsText(const json& parts) {
  if (!parts.is_array()) return std::nullopt;
  std::optional<std::string> out;
  for (const auto& p : parts) {
    const std::string kind = p.contains("kind") ? stringMember(p, "kind") : stringMember(p, "type");
    if (kind != "text" || !member(p, "text").is_string()) continue;
    out = out ? *out + "\n" + p["text"].get<std::string>() : p["text"].get<std::string>();
  }
  return out;
}

std::optional<std::string> resultText(const json& result) {
  if (result.is_string()) return result.get<std::string>();
  if (auto t = partsText(member(result, "parts"))) return t;
  if (auto t = partsText(member(member(result, "message"), "parts"))) return t;
  if (const json& artifacts = member(result, "artifacts"); artifacts.is_array())
    for (const auto& a : artifacts)
      if (auto t = partsText(member(a, "parts"))) return t;
  return partsText(member(member(member(result, "status"), "message"), "parts"));
}

// The message id of a row's A2A request: what ties an agent's a2a_send report to the proxy's row.
std::optional<std::string> messageIdOf(const ActivityRecord& row) {
  const json request = parseJsonOr(row.request_body.value_or(""), json());
  const std::string id = stringMember(member(member(request, "params"), "message"), "messageId");
  return id.empty() ? std::nullopt : std::optional(id);
}

// The message of a JSON-RPC error in an answer the agent sent with a 2xx status.
std::string rpcErrorOf(const std::optional<std::string>& body) {
  const json answer = parseJsonOr(body.value_or(""), json());
  const json& error = member(answer, "error");
  if (error.is_string()) return error.get<std::string>();
  return stringMember(error, "message");
}

ChatTurn turnOf(const ActivityRecord& row) {
  ChatTurn t;
  t.at = row.created_at;
  t.from = row.source_id.value_or("");
  t.to = row.target_id.value_or("");
  t.method = row.method;
  t.message = ChatHistory::textOf(row.request_body);
  if (!t.message && !row.summary.empty() && row.activity_type == "a2a_send") t.message = row.summary;
  t.reply = ChatHistory::textOf(row.response_body);
  t.status = row.status;
  t.error = row.error_detail.empty() ? rpcErrorOf(row.response_body) : row.error_detail;
  return t;
}

}  // namespace

std::optional<std::string> ChatHistory::textOf(const std::optional<std::string>& body) {
  if (!body || body->empty()) return std::nullopt;
  const json j = parseJsonOr(*body, json(*body));
  if (j.is_string()) return j.get<std::string>();
  if (!j.is_object()) return std::nullopt;
  if (auto t = partsText(member(member(member(j, "params"), "message"), "parts"))) return t;
  if (j.contains("result")) return resultText(j["result"]);
  for (const char* key : {"text", "task", "message"})
    if (member(j, key).is_string()) return j[key].get<std::string>();
  return std::nullopt;
}

Result<std::vector<ChatTurn>> ChatHistory::turns(const Query& q) {
  PARITY_IMPL(mcp_chat_history, docker, "activity-log query; the agent in the container calls it over MCP with its token");
  PARITY_IMPL(mcp_chat_history, swarm, "activity-log query; the agent in the task calls it over MCP with its token");
  PARITY_IMPL(mcp_chat_history, controlplane, "activity-log query; the agent on the instance calls it over MCP with its token");
  if (!isUuid(q.peer)) return makeError(Errc::invalid_argument, "peer_id must be a workspace id (a UUID)");
  std::string peer = q.peer;
  std::transform(peer.begin(), peer.end(), peer.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (peer == q.self) return makeError(Errc::invalid_argument, "peer_id must name another workspace");
  if (q.limit < 1 || q.limit > kMaxLimit)
    return makeError(Errc::invalid_argument, "limit must be between 1 and " + std::to_string(kMaxLimit));
  // Each message is at most two rows (the proxy's and its sender's report): twice the limit
  // holds `limit` turns once duplicates are dropped.
  ConversationFilter f{q.self, peer, std::nullopt, 2 * q.limit};
  if (q.before_ts) {
    f.before_ts = MemoryBackup::normalizeTime(*q.before_ts);
    if (!f.before_ts) return makeError(Errc::invalid_argument, "before_ts must be an RFC 3339 timestamp");
  }
  auto rows = store_.listConversation(f);
  if (!rows) return rows.error();
  std::set<std::string> proxied;
  for (const auto& row : *rows)
    if (row.activity_type == "a2a_receive")
      if (auto id = messageIdOf(row)) proxied.insert(*id);
  std::vector<ChatTurn> out;
  for (const auto& row : *rows) {
    if (static_cast<int>(out.size()) == q.limit) break;
    if (row.activity_type == "a2a_send")
      if (auto id = messageIdOf(row); id && proxied.contains(*id)) continue;
    out.push_back(turnOf(row));
  }
  return out;
}

}  // namespace ws
