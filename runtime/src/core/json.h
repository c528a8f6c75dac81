#pragma once
// The one way this server reads JSON it did not write: request bodies, agent answers, and the
// control plane's and the engine's responses. nlohmann::json copies and prints recursively, so
// nesting is bounded before a document is built; size is bounded so one answer cannot take
// the process's memory.

#include <nlohmann/json.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "ws/errors.h"

namespace ws {

struct JsonLimits {
  std::size_t max_depth = 64;         ///< Arrays and objects nested deeper are refused.
  std::size_t max_bytes = 16u << 20;  ///< Longer documents are refused.
};

/// `text` as JSON; invalid_argument when malformed, nested deeper than `limits.max_depth`, or
/// longer than `limits.max_bytes` (too_large).
Result<nlohmann::json> parseJson(std::string_view text, JsonLimits limits = {});

/// `text` as JSON, or `fallback` when it is malformed or beyond the limits.
nlohmann::json parseJsonOr(std::string_view text, nlohmann::json fallback, JsonLimits limits = {});

/// Whether `text` is JSON within the limits; builds no document.
bool isJson(std::string_view text, JsonLimits limits = {});

/// What a JSON-RPC request says about itself, read without building a document.
struct JsonRpcHead {
  bool has_jsonrpc = false;        ///< It has a "jsonrpc" member.
  std::string method;              ///< Its "method" when that is a string.
  bool message_lacks_id = false;   ///< params.message is an object without a messageId.
};
/// The head of `text` when it is a JSON object within the limits; nothing otherwise (parse it
/// to learn why).
std::optional<JsonRpcHead> peekJsonRpc(std::string_view text, JsonLimits limits = {});

/// True when no array or object in `text` is nested deeper than `max_depth` (strings skipped).
/// Linear, and safe on malformed input.
bool jsonDepthWithin(std::string_view text, std::size_t max_depth) noexcept;

}  // namespace ws
