#pragma once
// LLM token usage per workspace (GET /workspaces/:id/metrics), as the reference counts it: the
// `usage` an agent puts in its A2A answers, summed per UTC day, with a cost estimated at the
// reference's default rates. Budgets do not use it: they follow the spend agents report in
// their heartbeats (monthly_spend).

#include <cstdint>
#include <string>
#include <string_view>

#include "core/util.h"
#include "ws/record_store.h"

namespace ws {

/// Tokens one answer reported.
struct TokenCount {
  std::int64_t input = 0;
  std::int64_t output = 0;
  bool any() const { return input > 0 || output > 0; }
};

/// At most this many tokens are counted per answer and direction: a buggy or hostile agent
/// cannot overflow the sums.
inline constexpr std::int64_t kMaxTokensPerCall = 10'000'000;

/// The {input_tokens, output_tokens} of `result.usage` in a JSON-RPC answer, else of a top-level
/// `usage`; each clamped to [0, kMaxTokensPerCall]. Zeros when there is none.
TokenCount usageInAnswer(std::string_view body);

/// Micro-USD at $3 per million input tokens and $15 per million output tokens.
std::int64_t estimatedCostMicros(const TokenCount& t);

/// The UTC day around `t`: its first instant and the next day's, as RFC 3339 ("...T00:00:00Z").
struct UsagePeriod {
  std::string start;
  std::string end;
};
UsagePeriod usageDay(Clock::time_point t);

/// Adds what `answer` reports to today's usage of `workspace_id` (nothing when it reports none).
Result<> recordTokenUsage(RecordStore& store, const std::string& workspace_id, std::string_view answer);

}  // namespace ws
