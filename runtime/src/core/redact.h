#pragma once
// Secret redaction for text that outlives a conversation (memories): credentials are replaced
// by [REDACTED:<LABEL>] markers before anything is stored (runtime-spec 6.3 "Redaction").

#include <string>
#include <string_view>

namespace ws {

/// Applies, in order: NAME_API_KEY= / _TOKEN= / _SECRET= assignments (ENV_SECRET), Bearer
/// credentials (BEARER), sk- keys (SK_KEY), ctx7_ keys (CTX7_KEY), and base64 runs of 33 or more
/// characters (BASE64).
std::string redactSecrets(std::string_view text);

}  // namespace ws
