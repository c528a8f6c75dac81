#pragma once
// An agent's message to its user (POST /workspaces/:id/notify): kept in the activity log, so a
// chat reloaded later shows it, and pushed live to the canvas as AGENT_MESSAGE.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "service/events.h"
#include "ws/record_store.h"
#include "ws/workspace.h"

namespace ws {

/// A file the message points at, usually one staged by a chat upload ("workspace:/...").
struct MessageAttachment {
  std::string uri;
  std::string name;
  std::string mime_type;  ///< Empty when unknown.
  std::optional<std::int64_t> size;
};

class AgentMessages {
 public:
  static constexpr std::size_t kMaxAttachments = 50;

  AgentMessages(RecordStore& store, EventBus& events) : store_(store), events_(events) {}

  /// Records the message (activity a2a_receive, method notify, no source: the canvas's chat
  /// reads it as the agent's reply), then publishes AGENT_MESSAGE {message, workspace_id, name,
  /// attachments?}. invalid_argument for an empty message or an attachment without uri or name.
  Result<> send(const Workspace& w, const std::string& message, const std::vector<MessageAttachment>& attachments);

  /// The first `max_chars` characters of `s` (UTF-8 aware), with an ellipsis when cut.
  static std::string preview(const std::string& s, std::size_t max_chars);

 private:
  RecordStore& store_;
  EventBus& events_;
};

}  // namespace ws
