#include "service/token_usage.h"

#include <gtest/gtest.h>

#include "support/test_store.h"

namespace ws::test {
namespace {

TEST(TokenUsage, ReadsResultUsageThenTopLevelUsage) {
  auto t = usageInAnswer(R"({"jsonrpc":"2.0","result":{"usage":{"input_tokens":120,"output_tokens":30}},"usage":{"input_tokens":9}})");
  EXPECT_EQ(t.input, 120);
  EXPECT_EQ(t.output, 30);
  t = usageInAnswer(R"({"usage":{"input_tokens":5,"output_tokens":6}})");
  EXPECT_EQ(t.input, 5);
  EXPECT_EQ(t.output, 6);
  t = usageInAnswer(R"({"result":{"usage":{"input_tokens":0,"output_tokens":0}},"usage":{"output_tokens":4}})");
  EXPECT_EQ(t.output, 4) << "an empty result.usage falls back to the top level";
}

TEST(TokenUsage, NothingFromAnswersWithoutUsage) {
  for (const char* body : {"", "not json", "[]", R"({"result":"text"})", R"({"usage":"lots"})",
                           R"({"usage":{"input_tokens":"12"}})", R"({"result":{"usage":{"input_tokens":-4}}})"})
    EXPECT_FALSE(usageInAnswer(body).any()) << body;
}

TEST(TokenUsage, ClampsHostileCounts) {
  const auto t = usageInAnswer(R"({"usage":{"input_tokens":1e300,"output_tokens":9223372036854775807}})");
  EXPECT_EQ(t.input, kMaxTokensPerCall);
  EXPECT_EQ(t.output, kMaxTokensPerCall);
}

TEST(TokenUsage, CostAtTheReferenceRates) {
  EXPECT_EQ(estimatedCostMicros({1'000'000, 0}), 3'000'000);  // $3 per million input tokens
  EXPECT_EQ(estimatedCostMicros({0, 1'000'000}), 15'000'000);  // $15 per million output tokens
  EXPECT_EQ(estimatedCostMicros({100, 20}), 600);
}

TEST(TokenUsage, DayIsTheUtcDay) {
  const auto noon = Clock::from_time_t(1'776'427'200);  // 2026-04-17T12:00:00Z
  const auto day = usageDay(noon);
  EXPECT_EQ(day.start, "2026-04-17T00:00:00Z");
  EXPECT_EQ(day.end, "2026-04-18T00:00:00Z");
  EXPECT_EQ(usageDay(Clock::from_time_t(1'776'383'999)).start, "2026-04-16T00:00:00Z");  // one second before midnight
}

TEST(TokenUsage, RecordingSumsTheDayPerWorkspace) {
  TempStore store;
  auto w = makeWorkspace("usage");
  auto other = makeWorkspace("other");
  ASSERT_TRUE(store->insertWorkspace(w, createdEvent(w)));
  ASSERT_TRUE(store->insertWorkspace(other, createdEvent(other)));
  ASSERT_TRUE(recordTokenUsage(*store, w.id, R"({"result":{"usage":{"input_tokens":100,"output_tokens":20}}})"));
  ASSERT_TRUE(recordTokenUsage(*store, w.id, R"({"usage":{"input_tokens":1,"output_tokens":2}})"));
  ASSERT_TRUE(recordTokenUsage(*store, w.id, R"({"result":{}})"));  // no usage: no call counted
  const auto today = usageDay(Clock::now()).start;
  const auto u = *store->tokenUsage(w.id, today);
  EXPECT_EQ(u.input_tokens, 101);
  EXPECT_EQ(u.output_tokens, 22);
  EXPECT_EQ(u.call_count, 2);
  EXPECT_EQ(u.estimated_cost_micros, 101 * 3 + 22 * 15);
  EXPECT_EQ(store->tokenUsage(other.id, today)->call_count, 0);
  EXPECT_EQ(store->tokenUsage(w.id, "2000-01-01T00:00:00Z")->call_count, 0);
}

}  // namespace
}  // namespace ws::test
