// Which store a database setting names: a PostgreSQL URL, or a SQLite file.

#include <string_view>

#include "ws/store.h"

namespace ws {

bool isPostgresUrl(const std::string& url_or_path) {
  const std::string_view s = url_or_path;
  return s.starts_with("postgres://") || s.starts_with("postgresql://");
}

Result<StorePtr> openStore(const std::string& url_or_path) {
  return isPostgresUrl(url_or_path) ? openPostgresStore(url_or_path) : openSqliteStore(url_or_path);
}

std::string redactDatabaseUrl(const std::string& url) {
  std::string out = url;
  // scheme://user:password@host...: the password is between the first ':' after the scheme
  // and the last '@' before the path.
  if (const auto scheme = out.find("://"); scheme != std::string::npos) {
    const auto start = scheme + 3;
    const auto path = out.find_first_of("/?", start);
    const auto at = out.rfind('@', path == std::string::npos ? std::string::npos : path);
    if (at != std::string::npos && at >= start) {
      const auto colon = out.find(':', start);
      if (colon != std::string::npos && colon < at) out.replace(colon + 1, at - colon - 1, "***");
    }
  }
  // ...?password=secret&...
  for (std::size_t at = out.find("password="); at != std::string::npos; at = out.find("password=", at + 1)) {
    if (at > 0 && out[at - 1] != '?' && out[at - 1] != '&') continue;
    const auto value = at + 9;
    const auto end = out.find('&', value);
    out.replace(value, (end == std::string::npos ? out.size() : end) - value, "***");
  }
  return out;
}

}  // namespace ws
