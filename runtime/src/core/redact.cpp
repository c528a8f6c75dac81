#include "core/redact.h"

#include <re2/re2.h>

namespace ws {

// RE2 matches in time linear in the input (no backtracking), so a hostile memory cannot stall
// or crash the request that stores it.
std::string redactSecrets(std::string_view text) {
  struct Rule {
    RE2 pattern;
    const char* replacement;
  };
  static const Rule kRules[] = {
      {RE2(R"((?i)\b([A-Z0-9_]*(?:_API_KEY|_TOKEN|_SECRET))=\S+)"), R"(\1=[REDACTED:ENV_SECRET])"},
      {RE2(R"(\bBearer\s+\S+)"), "Bearer [REDACTED:BEARER]"},
      {RE2(R"(\bsk-[A-Za-z0-9_-]{16,})"), "[REDACTED:SK_KEY]"},
      {RE2(R"(\bctx7_[A-Za-z0-9_-]+)"), "[REDACTED:CTX7_KEY]"},
      {RE2(R"([A-Za-z0-9+/]{33,}={0,2})"), "[REDACTED:BASE64]"},
  };
  std::string out(text);
  for (const auto& rule : kRules) RE2::GlobalReplace(&out, rule.pattern, rule.replacement);
  return out;
}

}  // namespace ws
