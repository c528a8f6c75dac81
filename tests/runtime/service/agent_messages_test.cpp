#include "service/agent_messages.h"

#include <gtest/gtest.h>

#include "core/json.h"
#include "support/test_store.h"

namespace ws::test {
namespace {

using nlohmann::json;

class Messages : public ::testing::Test {
 protected:
  TempStore store_;
  EventBus events_{*store_};
  AgentMessages messages_{*store_, events_};
  Workspace w_ = makeWorkspace("helper");
  std::vector<Event> seen_;
  EventBus::Subscription sub_ = events_.subscribe([this](const Event& e) { seen_.push_back(e); });
  void SetUp() override { ASSERT_TRUE(store_->insertWorkspace(w_, createdEvent(w_))); }
  std::vector<ActivityRecord> rows() { return *store_->listActivity(ActivityFilter{w_.id, {}, {}, {}, {}, 10}); }
};

TEST_F(Messages, RecordedAsTheAgentsReplyThenPushed) {
  ASSERT_TRUE(messages_.send(w_, "done: see report", {{"workspace:/workspace/r.pdf", "r.pdf", "application/pdf", 42}}));
  const auto logged = rows();
  ASSERT_EQ(logged.size(), 1u);
  EXPECT_EQ(logged[0].activity_type, "a2a_receive");
  EXPECT_EQ(logged[0].method, "notify");
  EXPECT_FALSE(logged[0].source_id) << "no source: the chat reads it as the agent's reply";
  EXPECT_EQ(logged[0].summary, "Agent message: done: see report");
  EXPECT_EQ(json::parse(*logged[0].response_body), json::parse(R"({"result":"done: see report","parts":[
      {"kind":"file","file":{"uri":"workspace:/workspace/r.pdf","name":"r.pdf","mimeType":"application/pdf","size":42}}]})"));

  ASSERT_EQ(seen_.size(), 1u);
  EXPECT_EQ(seen_[0].event_type, "AGENT_MESSAGE");
  EXPECT_EQ(seen_[0].workspace_id, w_.id);
  EXPECT_EQ(json::parse(seen_[0].payload), (json{{"message", "done: see report"}, {"workspace_id", w_.id}, {"name", "helper"},
                                                {"attachments", json::parse(R"([{"uri":"workspace:/workspace/r.pdf",
                                                "name":"r.pdf","mimeType":"application/pdf","size":42}])")}}));
  EXPECT_TRUE(store_->listEvents(w_.id, 10)->size() == 1u) << "pushed, not kept as a structure event";
}

TEST_F(Messages, WithoutAttachmentsThePayloadHasNone) {
  ASSERT_TRUE(messages_.send(w_, "hi", {}));
  EXPECT_EQ(json::parse(seen_.at(0).payload).count("attachments"), 0u);
  EXPECT_EQ(json::parse(*rows().at(0).response_body), json::parse(R"({"result":"hi"})"));
}

TEST_F(Messages, RefusalsRecordAndPushNothing) {
  EXPECT_EQ(messages_.send(w_, "", {}).error().message, "message is required");
  EXPECT_EQ(messages_.send(w_, "x", {{"u", "n", "", std::nullopt}, {"", "n", "", std::nullopt}}).error().message,
            "attachment[1]: uri and name are required");
  std::vector<MessageAttachment> many(AgentMessages::kMaxAttachments + 1, {"u", "n", "", std::nullopt});
  EXPECT_EQ(messages_.send(w_, "x", many).error().code, Errc::invalid_argument);
  EXPECT_TRUE(rows().empty());
  EXPECT_TRUE(seen_.empty());
}

TEST(AgentMessagesPreview, CutsOnCharactersNotBytes) {
  EXPECT_EQ(AgentMessages::preview("short", 80), "short");
  EXPECT_EQ(AgentMessages::preview("abcdef", 3), "abc\u2026");
  EXPECT_EQ(AgentMessages::preview("\u4f60\u597d\u4e16\u754c", 2), "\u4f60\u597d\u2026");
  EXPECT_EQ(AgentMessages::preview("\u4f60\u597d", 2), "\u4f60\u597d");
}

}  // namespace
}  // namespace ws::test
