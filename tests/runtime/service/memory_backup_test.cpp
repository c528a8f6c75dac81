// The memory backup: export with names, import by id or unambiguous name, deduplicated and
// redacted, with every refusal counted.

#include "service/memory_backup.h"

#include <gtest/gtest.h>

#include "core/util.h"
#include "service/memories.h"
#include "support/test_store.h"

namespace ws::test {
namespace {

class MemoryBackupTest : public ::testing::Test {
 protected:
  Workspace add(const std::string& name) {
    auto w = makeWorkspace(name, Status::online);
    w.awareness_namespace = "workspace:" + w.id;
    EXPECT_TRUE(store_->insertWorkspace(w, createdEvent(w)));
    return w;
  }
  // Each memory a millisecond after the previous one, so that "oldest first" is one order.
  void remember(const Workspace& w, const std::string& content, const std::string& scope = "LOCAL") {
    auto m = *makeMemory(w, content, scope, "");
    m.created_at = formatTime(Clock::now() + std::chrono::milliseconds(++written_));
    ASSERT_TRUE(store_->insertMemory(m));
  }
  MemoryBackup::Counts import(const std::vector<MemoryBackup::Entry>& entries) {
    auto counts = backup_.import(entries);
    EXPECT_TRUE(counts) << counts.error().message;
    return counts ? *counts : MemoryBackup::Counts{};
  }

  TempStore store_;
  MemoryBackup backup_{*store_};
  int written_ = 0;
  Workspace alpha_ = add("alpha");
  Workspace beta_ = add("beta");
};

TEST_F(MemoryBackupTest, ExportNamesTheWorkspacesOldestFirst) {
  remember(alpha_, "first");
  remember(beta_, "second", "TEAM");
  const auto gone = add("gone");
  remember(gone, "forgotten");
  Event removed{0, "WORKSPACE_REMOVED", gone.id, "{}", nowTime()};
  ASSERT_TRUE(store_->markRemoved({gone.id}, {removed}));
  const auto all = *backup_.exportAll();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].memory.content, "first");
  EXPECT_EQ(all[0].workspace_name, "alpha");
  EXPECT_EQ(all[1].workspace_name, "beta");
  EXPECT_EQ(all[1].memory.scope, "TEAM");
}

TEST_F(MemoryBackupTest, ImportResolvesDeduplicatesAndRedacts) {
  remember(alpha_, "already here");
  const auto counts = import({
      {"already here", "LOCAL", "", "", "alpha", ""},                       // skipped: a duplicate
      {"token is OPENAI_API_KEY=sk-abcdefghijklmnopqrstuv", "", "", "2026-01-02T03:04:05+02:00", "alpha", ""},
      {"by id", "team", "notes", "", "renamed", beta_.id},                  // the id wins over the name
      {"nobody", "LOCAL", "", "", "nobody", ""},                            // skipped: no such workspace
      {"", "LOCAL", "", "", "alpha", ""},                                   // error: empty
      {"x", "WORLD", "", "", "alpha", ""},                                  // error: scope
      {"x", "LOCAL", std::string(51, 'n'), "", "alpha", ""},                // error: namespace
      {"x", "LOCAL", "", "yesterday", "alpha", ""},                         // error: time stamp
  });
  EXPECT_EQ(counts.imported, 2);
  EXPECT_EQ(counts.skipped, 2);
  EXPECT_EQ(counts.errors, 4);
  EXPECT_EQ(counts.total, 8);

  MemoryFilter f;
  f.local_of = {alpha_.id, beta_.id};
  const auto stored = *store_->listMemories(f);
  ASSERT_EQ(stored.size(), 3u);
  std::map<std::string, MemoryRecord> by_ws;
  for (const auto& m : stored) by_ws[m.workspace_id + m.content.substr(0, 5)] = m;
  const auto& redacted = by_ws.at(alpha_.id + "token");
  EXPECT_EQ(redacted.content, "token is OPENAI_API_KEY=[REDACTED:ENV_SECRET]");
  EXPECT_EQ(redacted.created_at, "2026-01-02T01:04:05.000Z") << "normalised to UTC";
  EXPECT_EQ(redacted.memory_namespace, alpha_.awareness_namespace);
  const auto& team = by_ws.at(beta_.id + "by id");
  EXPECT_EQ(team.scope, "TEAM");
  EXPECT_EQ(team.memory_namespace, "notes");

  EXPECT_EQ(import({{"token is OPENAI_API_KEY=sk-abcdefghijklmnopqrstuv", "LOCAL", "", "", "alpha", ""}}).skipped, 1)
      << "a secret is compared after redaction";
}

TEST_F(MemoryBackupTest, AnExportImportsAsDuplicates) {
  remember(alpha_, "one");
  remember(beta_, "two", "GLOBAL");
  std::vector<MemoryBackup::Entry> entries;
  for (const auto& m : *backup_.exportAll())
    entries.push_back({m.memory.content, m.memory.scope, m.memory.memory_namespace, m.memory.created_at, m.workspace_name, ""});
  const auto counts = import(entries);
  EXPECT_EQ(counts.imported, 0);
  EXPECT_EQ(counts.skipped, 2);
}

TEST_F(MemoryBackupTest, AnAmbiguousNameNamesNobody) {
  add("alpha");
  EXPECT_EQ(import({{"where?", "LOCAL", "", "", "alpha", ""}}).skipped, 1);
}

TEST_F(MemoryBackupTest, TooManyEntriesAreRefusedWhole) {
  std::vector<MemoryBackup::Entry> entries(MemoryBackup::kMaxEntries + 1, {"x", "LOCAL", "", "", "alpha", ""});
  EXPECT_EQ(backup_.import(entries).error().code, Errc::too_large);
  MemoryFilter f;
  f.local_of = {alpha_.id};
  EXPECT_TRUE(store_->listMemories(f)->empty());
}

TEST(MemoryBackupTime, Rfc3339InAnyOffset) {
  EXPECT_EQ(MemoryBackup::normalizeTime("2026-04-27T10:00:00Z"), "2026-04-27T10:00:00.000Z");
  EXPECT_EQ(MemoryBackup::normalizeTime("2026-04-27T10:00:00.123456789Z"), "2026-04-27T10:00:00.123Z");
  EXPECT_EQ(MemoryBackup::normalizeTime("2026-04-27T10:00:00.5-01:30"), "2026-04-27T11:30:00.500Z");
  EXPECT_EQ(MemoryBackup::normalizeTime("2026-04-27 10:00:00z"), "2026-04-27T10:00:00.000Z");
  EXPECT_FALSE(MemoryBackup::normalizeTime("2026-13-01T00:00:00Z"));
  EXPECT_FALSE(MemoryBackup::normalizeTime("2026-04-27T10:00:00"));
  EXPECT_FALSE(MemoryBackup::normalizeTime("2026-04-27T10:00:00+25:00"));
  EXPECT_FALSE(MemoryBackup::normalizeTime(""));
}

}  // namespace
}  // namespace ws::test
