#pragma once
// The prior turns between a workspace and a peer (the MCP tool chat_history), read from the
// activity log: every A2A message one of the two sent the other, with the reply it got. Only
// rows of the pair, held in one of their two logs, are ever read.

#include <optional>
#include <string>
#include <vector>

#include "ws/record_store.h"

namespace ws {

/// One message between the two workspaces and its reply.
struct ChatTurn {
  std::string at;    ///< When it was recorded (RFC 3339 UTC, milliseconds).
  std::string from;  ///< Who spoke.
  std::string to;
  std::string method;                 ///< The A2A method, e.g. message/send.
  std::optional<std::string> message;  ///< The text sent; nothing when it had none.
  std::optional<std::string> reply;    ///< The text of the answer; nothing when none came.
  std::string status;                 ///< ok | error | timeout
  std::string error;
};

class ChatHistory {
 public:
  static constexpr int kDefaultLimit = 20;
  static constexpr int kMaxLimit = 100;

  explicit ChatHistory(RecordStore& store) : store_(store) {}

  struct Query {
    std::string self;
    std::string peer;
    int limit = kDefaultLimit;              ///< 1..kMaxLimit.
    std::optional<std::string> before_ts;   ///< Only turns strictly older (any RFC 3339 form).
  };
  /// The turns, newest first. invalid_argument for a malformed peer (not a UUID, or `self`),
  /// limit or before_ts. A message both recorded by the A2A proxy and reported by its sender
  /// (a2a_send, same messageId) is one turn: the proxy's row.
  Result<std::vector<ChatTurn>> turns(const Query& q);

  /// The text of an A2A request or answer (JSON text): the text parts of its message, result,
  /// artifacts or status message; a plain string or a `text`/`task`/`message` field otherwise.
  static std::optional<std::string> textOf(const std::optional<std::string>& body);

 private:
  RecordStore& store_;
};

}  // namespace ws
