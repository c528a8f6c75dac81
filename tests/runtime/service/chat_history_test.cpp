// ChatHistory: the turns between two workspaces from the activity log, newest first; only rows
// of the pair held in one of their logs; the sender's own report of a proxied message dropped;
// paging with before_ts; and the text of every A2A shape.

#include "service/chat_history.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cctype>
#include <cstdio>

#include "core/util.h"
#include "support/test_store.h"

namespace ws::test {
namespace {

using nlohmann::json;

std::string rpc(const std::string& text, const std::string& message_id = "") {
  json message{{"role", "user"}, {"parts", {{{"kind", "text"}, {"text", text}}}}};
  if (!message_id.empty()) message["messageId"] = message_id;
  return json{{"jsonrpc", "2.0"}, {"id", 1}, {"method", "message/send"}, {"params", {{"message", message}}}}.dump();
}

std::string answer(const std::string& text) {
  return json{{"jsonrpc", "2.0"}, {"id", 1}, {"result", {{"kind", "message"}, {"parts", {{{"kind", "text"}, {"text", text}}}}}}}.dump();
}

class ChatHistoryTest : public ::testing::Test {
 protected:
  std::string add(const std::string& name) {
    auto w = makeWorkspace(name, Status::online);
    EXPECT_TRUE(store_->insertWorkspace(w, createdEvent(w)));
    return w.id;
  }
  // A row in `log`'s activity; `at` is a stamp in second 0 of 2026-01-01 plus `ms`.
  void row(const std::string& log, const std::string& type, const std::optional<std::string>& from, const std::string& to,
           int ms, std::optional<std::string> request, std::optional<std::string> response = std::nullopt) {
    ActivityRecord a;
    a.workspace_id = log;
    a.activity_type = type;
    a.method = "message/send";
    a.source_id = from;
    a.target_id = to;
    a.request_body = std::move(request);
    a.response_body = std::move(response);
    char at[32];
    std::snprintf(at, sizeof at, "2026-01-01T00:00:%02d.%03dZ", ms / 1000, ms % 1000);
    a.created_at = at;
    ASSERT_TRUE(store_->insertActivity(a));
  }
  // A message through the proxy: recorded in the receiver's log with the reply.
  void proxied(const std::string& from, const std::string& to, int ms, const std::string& text,
               const std::string& message_id = "") {
    row(to, "a2a_receive", from, to, ms, rpc(text, message_id), answer("re: " + text));
  }
  std::vector<ChatTurn> turns(const std::string& self, const std::string& peer, int limit = 20,
                              std::optional<std::string> before = std::nullopt) {
    auto t = history_.turns({self, peer, limit, std::move(before)});
    EXPECT_TRUE(t) << t.error().message;
    return t ? *t : std::vector<ChatTurn>{};
  }
  static std::vector<std::string> messages(const std::vector<ChatTurn>& turns) {
    std::vector<std::string> out;
    for (const auto& t : turns) out.push_back(t.message.value_or("-"));
    return out;
  }

  TempStore store_;
  ChatHistory history_{*store_};
  std::string a_ = add("a"), b_ = add("b"), c_ = add("c");
};

TEST_F(ChatHistoryTest, TurnsOfThePairEitherWayNewestFirst) {
  proxied(a_, b_, 100, "one");
  proxied(b_, a_, 200, "two");
  proxied(a_, b_, 300, "three");
  proxied(a_, c_, 400, "a to c");
  proxied(b_, c_, 500, "b to c");
  row(b_, "a2a_receive", std::nullopt, b_, 600, rpc("from the canvas"));
  row(a_, "agent_log", a_, b_, 700, rpc("not a message"));
  row(a_, "delegation", a_, b_, 800, rpc("nor a delegation"));
  // A row naming the pair but held in a third workspace's log is not theirs.
  row(c_, "a2a_send", a_, b_, 900, rpc("in c's log"));

  const auto t = turns(a_, b_);
  EXPECT_EQ(messages(t), (std::vector<std::string>{"three", "two", "one"}));
  EXPECT_EQ(t[0].from, a_);
  EXPECT_EQ(t[0].to, b_);
  EXPECT_EQ(t[1].from, b_);
  EXPECT_EQ(t[0].reply, "re: three");
  EXPECT_EQ(t[0].method, "message/send");
  EXPECT_EQ(t[0].at, "2026-01-01T00:00:00.300Z");
  EXPECT_EQ(messages(turns(b_, a_)), (std::vector<std::string>{"three", "two", "one"}));
  EXPECT_EQ(messages(turns(a_, c_)), (std::vector<std::string>{"a to c"}));
  EXPECT_EQ(messages(turns(c_, b_)), (std::vector<std::string>{"b to c"}));
  // Upper case names the same peer.
  std::string upper = b_;
  for (char& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  EXPECT_EQ(turns(a_, upper).size(), 3u);
}

TEST_F(ChatHistoryTest, TheSendersReportOfAProxiedMessageIsDropped) {
  proxied(a_, b_, 100, "hello", "m-1");
  row(a_, "a2a_send", a_, b_, 101, rpc("hello", "m-1"));      // the same message, reported by a
  row(a_, "a2a_send", a_, b_, 200, rpc("sent around the proxy", "m-2"));
  row(a_, "a2a_send", a_, b_, 300, R"({"task": "no message id"})");
  const auto t = turns(a_, b_);
  EXPECT_EQ(messages(t), (std::vector<std::string>{"no message id", "sent around the proxy", "hello"}));
  EXPECT_EQ(t[2].reply, "re: hello") << "the proxy's row is kept";
  EXPECT_FALSE(t[0].reply);
  // The limit counts turns, not rows.
  EXPECT_EQ(messages(turns(a_, b_, 3)).size(), 3u);
}

TEST_F(ChatHistoryTest, BeforeTsPagesStrictlyOlder) {
  for (int i = 1; i <= 5; ++i) proxied(a_, b_, i * 100, "m" + std::to_string(i));
  EXPECT_EQ(messages(turns(a_, b_, 2)), (std::vector<std::string>{"m5", "m4"}));
  EXPECT_EQ(messages(turns(a_, b_, 2, "2026-01-01T00:00:00.400Z")), (std::vector<std::string>{"m3", "m2"}));
  // Other forms of an instant: an offset, a coarser or finer fraction, no fraction.
  EXPECT_EQ(messages(turns(a_, b_, 20, "2026-01-01T01:00:00.3+01:00")), (std::vector<std::string>{"m2", "m1"}));
  EXPECT_EQ(messages(turns(a_, b_, 20, "2026-01-01T00:00:00.2000Z")), (std::vector<std::string>{"m1"}));
  EXPECT_TRUE(turns(a_, b_, 20, "2026-01-01T00:00:00Z").empty());
  EXPECT_EQ(turns(a_, b_, 20, "2026-01-01T00:00:01Z").size(), 5u);
}

TEST_F(ChatHistoryTest, MalformedQueriesAreRefused) {
  const auto refused = [&](ChatHistory::Query q) {
    auto r = history_.turns(q);
    return !r && r.error().code == Errc::invalid_argument;
  };
  EXPECT_TRUE(refused({a_, "b", 20, std::nullopt}));
  EXPECT_TRUE(refused({a_, a_, 20, std::nullopt})) << "not with itself";
  EXPECT_TRUE(refused({a_, b_, 0, std::nullopt}));
  EXPECT_TRUE(refused({a_, b_, ChatHistory::kMaxLimit + 1, std::nullopt}));
  EXPECT_TRUE(refused({a_, b_, 20, "yesterday"}));
  EXPECT_TRUE(refused({a_, b_, 20, "2026-13-01T00:00:00Z"}));
  EXPECT_TRUE(refused({a_, b_, 20, "2026-01-01T00:00:00"})) << "no zone";
}

TEST_F(ChatHistoryTest, FailedDeliveriesSayWhy) {
  ActivityRecord a;
  a.workspace_id = b_;
  a.activity_type = "a2a_receive";
  a.source_id = a_;
  a.target_id = b_;
  a.request_body = rpc("are you there?");
  a.status = "timeout";
  a.error_detail = "timed out";
  a.created_at = "2026-01-01T00:00:00.500Z";
  ASSERT_TRUE(store_->insertActivity(a));
  row(b_, "a2a_receive", a_, b_, 0, rpc("bad"), R"({"jsonrpc":"2.0","id":1,"error":{"code":-32602,"message":"no parts"}})");
  const auto t = turns(a_, b_);
  ASSERT_EQ(t.size(), 2u);
  EXPECT_EQ(t[0].status, "timeout");
  EXPECT_EQ(t[0].error, "timed out");
  EXPECT_FALSE(t[0].reply);
  EXPECT_EQ(t[1].error, "no parts");
  EXPECT_FALSE(t[1].reply);
}

TEST(ChatHistoryText, EveryA2aShape) {
  const auto text = [](const std::string& body) { return ChatHistory::textOf(body); };
  EXPECT_EQ(text(rpc("asked")), "asked");
  EXPECT_EQ(text(answer("answered")), "answered");
  EXPECT_EQ(text(R"({"params":{"message":{"parts":[{"type":"text","text":"old"},{"kind":"file"},{"kind":"text","text":"style"}]}}})"),
            "old\nstyle");
  EXPECT_EQ(text(R"({"result":{"artifacts":[{"parts":[{"kind":"data"}]},{"parts":[{"kind":"text","text":"artifact"}]}]}})"), "artifact");
  EXPECT_EQ(text(R"({"result":{"status":{"message":{"parts":[{"kind":"text","text":"task status"}]}}}})"), "task status");
  EXPECT_EQ(text(R"({"result":{"message":{"parts":[{"kind":"text","text":"wrapped"}]}}})"), "wrapped");
  EXPECT_EQ(text(R"("a plain string")"), "a plain string");
  EXPECT_EQ(text("not json at all"), "not json at all");
  EXPECT_EQ(text(R"({"task":"a task"})"), "a task");
  EXPECT_EQ(text(R"({"params":{"message":{"parts":[{"kind":"text","text":5}]}}})"), std::nullopt);
  EXPECT_EQ(text(R"({"result":{"parts":[]}})"), std::nullopt);
  EXPECT_EQ(text("[1,2]"), std::nullopt);
  EXPECT_EQ(ChatHistory::textOf(std::nullopt), std::nullopt);
  EXPECT_EQ(ChatHistory::textOf(std::string()), std::nullopt);
}

}  // namespace
}  // namespace ws::test
