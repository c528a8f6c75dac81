#include "core/json.h"

#include <simdjson.h>

#include <string>

namespace ws {

bool jsonDepthWithin(std::string_view text, std::size_t max_depth) noexcept {
  std::size_t depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') ++i;  // the escaped character cannot end the string
      else if (c == '"') in_string = false;
      continue;
    }
    switch (c) {
      case '"': in_string = true; break;
      case '[':
      case '{':
        if (++depth > max_depth) return false;
        break;
      case ']':
      case '}':
        if (depth > 0) --depth;
        break;
      default: break;
    }
  }
  return true;
}

Result<nlohmann::json> parseJson(std::string_view text, JsonLimits limits) {
  if (text.size() > limits.max_bytes)
    return makeError(Errc::too_large, "JSON document larger than " + std::to_string(limits.max_bytes) + " bytes");
  if (!jsonDepthWithin(text, limits.max_depth))
    return makeError(Errc::invalid_argument, "JSON nested deeper than " + std::to_string(limits.max_depth) + " levels");
  auto parsed = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) return makeError(Errc::invalid_argument, "invalid JSON");
  // json converts to anything, Error included: construct the value explicitly.
  return Result<nlohmann::json>(boost::system::in_place_value, std::move(parsed));
}

namespace {

// simdjson validates at memory speed; it reuses its buffers, so one parser per thread.
simdjson::dom::parser& fastParser() {
  thread_local simdjson::dom::parser parser;
  return parser;
}

}  // namespace

bool isJson(std::string_view text, JsonLimits limits) {
  if (text.size() > limits.max_bytes || !jsonDepthWithin(text, limits.max_depth)) return false;
  simdjson::dom::element doc;
  if (fastParser().parse(text.data(), text.size()).get(doc) == simdjson::SUCCESS) return true;
  // What simdjson refuses but JSON allows (an integer past 64 bits) is settled by the full parser.
  return nlohmann::json::accept(text);
}

std::optional<JsonRpcHead> peekJsonRpc(std::string_view text, JsonLimits limits) {
  if (text.size() > limits.max_bytes || !jsonDepthWithin(text, limits.max_depth)) return std::nullopt;
  simdjson::dom::object object;
  if (fastParser().parse(text.data(), text.size()).get_object().get(object) != simdjson::SUCCESS) return std::nullopt;
  JsonRpcHead head;
  head.has_jsonrpc = object["jsonrpc"].error() == simdjson::SUCCESS;
  std::string_view method;
  if (object["method"].get_string().get(method) == simdjson::SUCCESS) head.method = method;
  simdjson::dom::object message;
  if (object.at_pointer("/params/message").get_object().get(message) == simdjson::SUCCESS)
    head.message_lacks_id = message["messageId"].error() != simdjson::SUCCESS;
  return head;
}

nlohmann::json parseJsonOr(std::string_view text, nlohmann::json fallback, JsonLimits limits) {
  auto parsed = parseJson(text, limits);
  return parsed ? std::move(*parsed) : std::move(fallback);
}

}  // namespace ws
