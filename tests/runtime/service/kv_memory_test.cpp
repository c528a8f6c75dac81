// The key-value memory: versions, optimistic concurrency, expiry, and its limits.

#include "service/kv_memory.h"

#include <gtest/gtest.h>

#include "core/util.h"
#include "support/test_store.h"

namespace ws::test {
namespace {

using namespace std::chrono_literals;

class KvMemoryTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(store_->insertWorkspace(w_, createdEvent(w_))); }
  Result<KvOutcome> set(const std::string& key, const std::string& value, std::optional<std::int64_t> if_match = std::nullopt,
                        std::optional<std::int64_t> ttl = std::nullopt) {
    return kv_.set(w_.id, {key, value, ttl, if_match});
  }

  TempStore store_;
  KeyValueMemory kv_{*store_};
  Workspace w_ = makeWorkspace("keeper", Status::online);
};

TEST_F(KvMemoryTest, EachWriteBumpsTheVersion) {
  EXPECT_EQ(set("plan", R"({"step":1})")->version, 1);
  EXPECT_EQ(set("plan", R"({"step":2})")->version, 2);
  ASSERT_TRUE(set("a/b c", "null"));
  const auto entry = *kv_.get(w_.id, "plan");
  EXPECT_EQ(entry.value, R"({"step":2})");
  EXPECT_EQ(entry.version, 2);
  EXPECT_FALSE(entry.expires_at);
  const auto all = *kv_.list(w_.id);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].key, "a/b c") << "by key";
  EXPECT_EQ(kv_.get(w_.id, "nope").error().message, "key not found");
  EXPECT_EQ(kv_.get(newUuid(), "plan").error().code, Errc::not_found) << "another workspace's keys are not visible";
}

TEST_F(KvMemoryTest, IfMatchVersionGuardsTheWrite) {
  ASSERT_TRUE(set("ledger", "1"));
  auto stale = set("ledger", "2", 5);
  ASSERT_TRUE(stale);
  EXPECT_EQ(stale->kind, KvOutcome::version_mismatch);
  EXPECT_EQ(stale->current_version, 1);
  EXPECT_EQ(kv_.get(w_.id, "ledger")->value, "1") << "unchanged";
  EXPECT_EQ(set("ledger", "2", 1)->version, 2);

  auto absent = set("fresh", "1", 3);
  EXPECT_EQ(absent->kind, KvOutcome::version_mismatch);
  EXPECT_FALSE(absent->current_version);
  EXPECT_EQ(set("fresh", "1", 0)->version, 1) << "0: create only";
  EXPECT_EQ(set("fresh", "2", 0)->kind, KvOutcome::version_mismatch) << "it exists now";
}

TEST_F(KvMemoryTest, ExpiredEntriesAreGone) {
  ASSERT_TRUE(set("session", "1", std::nullopt, 3600));
  EXPECT_TRUE(kv_.get(w_.id, "session")->expires_at);
  const std::string past = formatTime(Clock::now() - 1s);
  ASSERT_TRUE(store_->putKv(KvWrite{w_.id, "old", "1", past, std::nullopt, formatTime(Clock::now() - 1min), 0}));
  EXPECT_EQ(kv_.get(w_.id, "old").error().code, Errc::not_found);
  EXPECT_EQ(kv_.list(w_.id)->size(), 1u);
  auto guarded = set("old", "2", 1);
  EXPECT_EQ(guarded->kind, KvOutcome::version_mismatch) << "an expired key does not exist";
  EXPECT_EQ(set("old", "2")->version, 1) << "it starts over";
}

TEST_F(KvMemoryTest, Limits) {
  EXPECT_EQ(set("", "1").error().message, "key is required");
  EXPECT_EQ(set(std::string(257, 'k'), "1").error().code, Errc::invalid_argument);
  EXPECT_EQ(set("line\nbreak", "1").error().code, Errc::invalid_argument);
  EXPECT_EQ(set(std::string("bad\xff"), "1").error().code, Errc::invalid_argument);
  EXPECT_EQ(set("big", "\"" + std::string(KeyValueMemory::kMaxValueBytes, 'x') + "\"").error().code, Errc::too_large);
  EXPECT_EQ(set("t", "1", std::nullopt, 0).error().code, Errc::invalid_argument);
  EXPECT_EQ(set("t", "1", std::nullopt, KeyValueMemory::kMaxTtlSeconds + 1).error().code, Errc::invalid_argument);
  EXPECT_EQ(set("t", "1", -1).error().code, Errc::invalid_argument);
  EXPECT_TRUE(kv_.list(w_.id)->empty());

  for (std::size_t i = 0; i < KeyValueMemory::kMaxKeys; ++i) ASSERT_TRUE(set("k" + std::to_string(i), "1"));
  EXPECT_EQ(set("one-more", "1").error().code, Errc::too_large);
  EXPECT_EQ(set("k0", "2")->version, 2) << "existing keys stay writable";
  ASSERT_TRUE(kv_.remove(w_.id, "k0"));
  EXPECT_TRUE(set("one-more", "1"));
}

TEST_F(KvMemoryTest, RemovingIsIdempotent) {
  ASSERT_TRUE(set("x", "1"));
  EXPECT_TRUE(kv_.remove(w_.id, "x"));
  EXPECT_TRUE(kv_.remove(w_.id, "x"));
  EXPECT_EQ(kv_.get(w_.id, "x").error().code, Errc::not_found);
}

}  // namespace
}  // namespace ws::test
