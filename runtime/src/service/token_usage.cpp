#include "service/token_usage.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <optional>

#include "core/json.h"

namespace ws {
namespace {

using nlohmann::json;

std::int64_t tokens(const json& usage, const char* key) {
  const auto it = usage.find(key);
  if (it == usage.end() || !it->is_number()) return 0;
  // Floats and out-of-range numbers are clamped like the rest, never trusted as given.
  const double n = it->get<double>();
  if (!(n > 0)) return 0;
  return n >= static_cast<double>(kMaxTokensPerCall) ? kMaxTokensPerCall : static_cast<std::int64_t>(n);
}

// The usage object of `m`, when it reports any token.
std::optional<TokenCount> usageOf(const json& m) {
  if (!m.is_object()) return std::nullopt;
  const auto it = m.find("usage");
  if (it == m.end() || !it->is_object()) return std::nullopt;
  TokenCount t{tokens(*it, "input_tokens"), tokens(*it, "output_tokens")};
  if (!t.any()) return std::nullopt;
  return t;
}

std::string dayStamp(std::time_t secs) {
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];  // room for any int the compiler imagines in each field
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT00:00:00Z", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
  return buf;
}

}  // namespace

TokenCount usageInAnswer(std::string_view body) {
  // Most answers report nothing: spare them the parse.
  if (body.find("\"usage\"") == std::string_view::npos) return {};
  const json answer = parseJsonOr(body, json());  // within the JSON input limits
  if (!answer.is_object()) return {};
  if (auto it = answer.find("result"); it != answer.end())
    if (auto t = usageOf(*it)) return *t;
  return usageOf(answer).value_or(TokenCount{});
}

std::int64_t estimatedCostMicros(const TokenCount& t) { return t.input * 3 + t.output * 15; }

UsagePeriod usageDay(Clock::time_point t) {
  const std::time_t secs = Clock::to_time_t(t);
  const std::time_t day = secs - ((secs % 86400) + 86400) % 86400;
  return {dayStamp(day), dayStamp(day + 86400)};
}

Result<> recordTokenUsage(RecordStore& store, const std::string& workspace_id, std::string_view answer) {
  const TokenCount t = usageInAnswer(answer);
  if (!t.any()) return {};
  return store.addTokenUsage(workspace_id, usageDay(Clock::now()).start,
                             TokenUsage{t.input, t.output, 1, estimatedCostMicros(t)});
}

}  // namespace ws
