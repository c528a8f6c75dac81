#include "service/agent_messages.h"

#include <nlohmann/json.hpp>

#include "core/util.h"

namespace ws {
namespace {

using nlohmann::json;

constexpr std::size_t kPreviewChars = 80;

json attachmentJson(const MessageAttachment& a) {
  json j{{"uri", a.uri}, {"name", a.name}};
  if (!a.mime_type.empty()) j["mimeType"] = a.mime_type;
  if (a.size && *a.size > 0) j["size"] = *a.size;
  return j;
}

}  // namespace

std::string AgentMessages::preview(const std::string& s, std::size_t max_chars) {
  std::size_t chars = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) continue;  // inside a character
    if (chars++ == max_chars) return s.substr(0, i) + "\u2026";
  }
  return s;
}

Result<> AgentMessages::send(const Workspace& w, const std::string& message,
                             const std::vector<MessageAttachment>& attachments) {
  if (message.empty()) return makeError(Errc::invalid_argument, "message is required");
  if (attachments.size() > kMaxAttachments)
    return makeError(Errc::invalid_argument, "at most " + std::to_string(kMaxAttachments) + " attachments");
  json parts = json::array();
  for (std::size_t i = 0; i < attachments.size(); ++i) {
    const auto& a = attachments[i];
    if (a.uri.empty() || a.name.empty())
      return makeError(Errc::invalid_argument, "attachment[" + std::to_string(i) + "]: uri and name are required");
    parts.push_back(attachmentJson(a));
  }
  // The row first: a message the user saw live is never missing from the reloaded chat.
  json reply{{"result", message}};
  if (!parts.empty()) {
    reply["parts"] = json::array();
    for (const auto& file : parts) reply["parts"].push_back({{"kind", "file"}, {"file", file}});
  }
  ActivityRecord a;
  a.workspace_id = w.id;
  a.activity_type = "a2a_receive";
  a.method = "notify";
  a.summary = "Agent message: " + preview(message, kPreviewChars);
  a.response_body = reply.dump(-1, ' ', false, json::error_handler_t::replace);
  a.created_at = nowTime();
  if (auto inserted = store_.insertActivity(a); !inserted) return inserted.error();
  json payload{{"message", message}, {"workspace_id", w.id}, {"name", w.name}};
  if (!parts.empty()) payload["attachments"] = std::move(parts);
  events_.broadcast("AGENT_MESSAGE", w.id, payload);
  return {};
}

}  // namespace ws
