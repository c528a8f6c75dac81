// The session log: search over activity and memories, the transcript's cursor paging, and
// the traces of the agent's runs.

#include "service/session_log.h"

#include <gtest/gtest.h>

#include "core/util.h"
#include "service/memories.h"
#include "support/test_store.h"

namespace ws::test {
namespace {

class SessionLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(store_->insertWorkspace(w_, createdEvent(w_)));
    ASSERT_TRUE(store_->insertWorkspace(other_, createdEvent(other_)));
  }
  std::int64_t log(const Workspace& w, const std::string& summary, const std::string& method = "",
                   std::optional<std::string> request = std::nullopt, const std::string& type = "agent_log") {
    ActivityRecord a;
    a.workspace_id = w.id;
    a.activity_type = type;
    a.summary = summary;
    a.method = method;
    a.request_body = std::move(request);
    a.created_at = nowTime();
    return *store_->insertActivity(a);
  }
  std::vector<std::string> contents(const std::vector<SessionItem>& items) {
    std::vector<std::string> out;
    for (const auto& i : items) out.push_back(i.kind + ":" + i.content);
    return out;
  }

  TempStore store_;
  SessionLog log_{*store_};
  Workspace w_ = makeWorkspace("searcher", Status::online);
  Workspace other_ = makeWorkspace("other", Status::online);
};

TEST_F(SessionLogTest, SearchesActivityAndMemoriesCaseInsensitively) {
  log(w_, "Deployed the API", "deploy");
  log(w_, "unrelated", "", R"({"note":"DEPLOY window at 5"})");
  log(other_, "deploy elsewhere");
  auto memory = *makeMemory(w_, "we deploy on fridays", "TEAM", "");
  memory.created_at = formatTime(Clock::now() + std::chrono::seconds(1));  // surely the newest
  ASSERT_TRUE(store_->insertMemory(memory));
  const auto hits = *log_.search(w_.id, "  deploy ", 50);
  EXPECT_EQ(contents(hits), (std::vector<std::string>{"memory:we deploy on fridays", "activity:unrelated", "activity:Deployed the API"}));
  EXPECT_EQ(hits[0].label, "TEAM");
  EXPECT_EQ(hits[1].label, "agent_log");
  EXPECT_EQ(hits[1].id, std::to_string(2));
  EXPECT_EQ(log_.search(w_.id, "", 50)->size(), 3u) << "everything of the workspace, nothing of another";
  EXPECT_EQ(log_.search(w_.id, "", 2)->size(), 2u);
  EXPECT_TRUE(log_.search(w_.id, "%", 50)->empty()) << "no wildcards";
  EXPECT_EQ(log_.search(w_.id, std::string(1001, 'q'), 50).error().code, Errc::invalid_argument);
}

TEST_F(SessionLogTest, TheTranscriptPagesOnWithItsCursor) {
  std::vector<std::int64_t> ids;
  for (int i = 0; i < 5; ++i) ids.push_back(log(w_, "step " + std::to_string(i)));
  log(other_, "not mine");
  auto first = *log_.transcript(w_.id, 0, 2);
  ASSERT_EQ(first.lines.size(), 2u);
  EXPECT_EQ(first.lines[0].summary, "step 0") << "oldest first";
  EXPECT_EQ(first.cursor, ids[1]);
  EXPECT_TRUE(first.more);
  auto rest = *log_.transcript(w_.id, first.cursor, 10);
  ASSERT_EQ(rest.lines.size(), 3u);
  EXPECT_EQ(rest.lines[2].summary, "step 4");
  EXPECT_FALSE(rest.more);
  auto after = *log_.transcript(w_.id, rest.cursor, 10);
  EXPECT_TRUE(after.lines.empty());
  EXPECT_EQ(after.cursor, rest.cursor) << "polling again starts where it was";
  EXPECT_EQ(log_.transcript(w_.id, -1, 10).error().code, Errc::invalid_argument);
}

TEST_F(SessionLogTest, TracesAreTheMessagesTheAgentHandledNewestFirst) {
  log(w_, "run 1", "message/send", R"({"text":"one"})", "a2a_receive");
  log(w_, "a note", "", std::nullopt, "agent_log");
  log(w_, "sent", "message/send", std::nullopt, "a2a_send");
  log(w_, "run 2", "message/send", R"({"text":"two"})", "a2a_receive");
  log(other_, "theirs", "message/send", std::nullopt, "a2a_receive");
  const auto traces = *log_.traces(w_.id, SessionLog::kTraceLimit);
  ASSERT_EQ(traces.size(), 2u);
  EXPECT_EQ(traces[0].summary, "run 2");
  EXPECT_EQ(traces[1].summary, "run 1");
  EXPECT_EQ(log_.traces(w_.id, 1)->size(), 1u);
  EXPECT_TRUE(log_.traces(makeWorkspace("quiet", Status::online).id, 20)->empty());
  EXPECT_EQ(log_.traces(w_.id, 0).error().code, Errc::invalid_argument);
}

}  // namespace
}  // namespace ws::test
