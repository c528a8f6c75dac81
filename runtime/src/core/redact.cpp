#include "redact.h"

#include <regex>
#include <utility>
#include <vector>

namespace ws {

std::string redactSecrets(std::string_view text) {
  static const std::vector<std::pair<std::regex, std::string>> kRules = [] {
    const auto icase = std::regex::ECMAScript | std::regex::icase;
    return std::vector<std::pair<std::regex, std::string>>{
        {std::regex(R"(\b([A-Z0-9_]*(_API_KEY|_TOKEN|_SECRET))=\S+)", icase), "$1=[REDACTED:ENV_SECRET]"},
        {std::regex(R"(\bBearer\s+\S+)"), "Bearer [REDACTED:BEARER]"},
        {std::regex(R"(\bsk-[A-Za-z0-9_-]{16,})"), "[REDACTED:SK_KEY]"},
        {std::regex(R"(\bctx7_[A-Za-z0-9_-]+)"), "[REDACTED:CTX7_KEY]"},
        {std::regex(R"([A-Za-z0-9+/]{33,}={0,2})"), "[REDACTED:BASE64]"},
    };
  }();
  std::string out(text);
  for (const auto& [pattern, replacement] : kRules) out = std::regex_replace(out, pattern, replacement);
  return out;
}

}  // namespace ws
