// Delegations: a task sent to a peer's agent in the background, its rows and events, the
// refusals before anything is recorded, idempotency keys, the retry of a transient failure, and
// the record/update pair agents use when they sent the A2A themselves.

#include "service/delegations.h"

#include <gtest/gtest.h>

#include <memory>
#include <thread>

#include "core/util.h"
#include "support/fake_agent.h"
#include "support/loopback.h"
#include "support/service_stack.h"

namespace ws::test {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

const json kAnswer = json::parse(R"({"jsonrpc":"2.0","id":"1","result":{"kind":"message","role":"agent",
                                      "parts":[{"kind":"text","text":"report filed"}]}})");

class DelegationsTest : public ::testing::Test, protected ServiceStack {
 protected:
  DelegationsTest() { agent_.answer(200, kAnswer); }

  Workspace add(const std::string& name, const std::string& url, std::optional<std::string> parent = std::nullopt) {
    auto w = makeWorkspace(name, Status::online, std::move(parent));
    w.url = url;
    EXPECT_TRUE(store_->insertWorkspace(w, createdEvent(w)));
    return w;
  }
  std::vector<ActivityRecord> rows(const Workspace& w) { return *delegations_.list(w.id); }
  std::vector<std::string> seen() {
    std::lock_guard lock(mutex_);
    return seen_;
  }

  FakeAgent agent_;
  A2aDelivery a2a_{*store_, events_, workspaces_, config_};
  Delegations delegations_{*store_, events_, workspaces_, a2a_, Delegations::Options{30s, 10ms, 2}};
  std::mutex mutex_;
  std::vector<std::string> seen_;
  EventBus::Subscription sub_ = events_.subscribe([this](const Event& e) {
    std::lock_guard lock(mutex_);
    if (e.event_type.rfind("DELEGATION_", 0) == 0) seen_.push_back(e.event_type);
  });
  Workspace lead_ = add("lead", "");
  Workspace peer_ = add("peer", agent_.url());
};

TEST_F(DelegationsTest, SendsTheTaskInTheBackgroundAndRecordsTheAnswer) {
  auto accepted = delegations_.delegate(lead_, peer_.id, "file the report", "");
  ASSERT_TRUE(accepted) << accepted.error().message;
  EXPECT_EQ(accepted->status, "delegated");
  EXPECT_FALSE(accepted->idempotent_hit);
  delegations_.drain();

  const auto received = agent_.received();
  ASSERT_EQ(received.size(), 1u);
  const json& message = received[0]["params"]["message"];
  EXPECT_EQ(received[0]["method"], "message/send");
  EXPECT_EQ(message["parts"][0]["text"], "file the report");
  EXPECT_EQ(message["metadata"]["peer_id"], lead_.id) << "the target learns who delegated";

  const auto logged = rows(lead_);
  ASSERT_EQ(logged.size(), 2u);
  EXPECT_EQ(logged[0].method, "delegate_result");
  EXPECT_EQ(logged[0].status, "completed");
  EXPECT_EQ(json::parse(*logged[0].response_body), (json{{"text", "report filed"}, {"delegation_id", accepted->delegation_id}}));
  EXPECT_EQ(logged[0].summary, "Delegation completed (report filed)");
  EXPECT_EQ(logged[1].method, "delegate");
  EXPECT_EQ(logged[1].status, "completed");
  EXPECT_EQ(logged[1].target_id, peer_.id);
  EXPECT_EQ(json::parse(*logged[1].request_body), (json{{"task", "file the report"}, {"delegation_id", accepted->delegation_id}}));
  EXPECT_EQ(seen(), (std::vector<std::string>{"DELEGATION_SENT", "DELEGATION_STATUS", "DELEGATION_COMPLETE"}));
  EXPECT_EQ(store_->listEvents(lead_.id, 10)->size(), 4u) << "recorded, after the creation event";
}

TEST_F(DelegationsTest, RefusalsRecordAndSendNothing) {
  const auto other_root = add("other", agent_.url());
  const auto stranger = add("stranger", agent_.url(), other_root.id);
  EXPECT_EQ(delegations_.delegate(lead_, "not-a-uuid", "x", "").error().message, "target_id must be a valid UUID");
  EXPECT_EQ(delegations_.delegate(lead_, lead_.id, "x", "").error().message, "self-delegation not permitted");
  EXPECT_EQ(delegations_.delegate(lead_, newUuid(), "x", "").error().code, Errc::not_found);
  EXPECT_EQ(delegations_.delegate(lead_, stranger.id, "x", "").error().code, Errc::forbidden);
  EXPECT_EQ(delegations_.delegate(lead_, peer_.id, "", "").error().code, Errc::invalid_argument);
  EXPECT_EQ(delegations_.delegate(lead_, peer_.id, std::string(Delegations::kMaxTaskBytes + 1, 'x'), "").error().code,
            Errc::too_large);
  EXPECT_EQ(delegations_.delegate(lead_, peer_.id, "x", std::string(257, 'k')).error().code, Errc::invalid_argument);
  delegations_.drain();
  EXPECT_TRUE(rows(lead_).empty());
  EXPECT_TRUE(agent_.received().empty());
  EXPECT_TRUE(seen().empty());
}

TEST_F(DelegationsTest, AChildMayDelegateToItsParent) {
  const auto child = add("child", "", peer_.id);
  ASSERT_TRUE(delegations_.delegate(child, peer_.id, "help", ""));
  delegations_.drain();
  EXPECT_EQ(rows(child).at(1).status, "completed");
}

TEST_F(DelegationsTest, AFailureIsRecordedAndFreesItsKeyForARetry) {
  const auto silent = add("silent", "");  // no agent address: a lasting failure, not retried
  auto first = delegations_.delegate(lead_, silent.id, "x", "key-1");
  ASSERT_TRUE(first);
  delegations_.drain();
  auto logged = rows(lead_);
  ASSERT_EQ(logged.size(), 2u);
  EXPECT_EQ(logged[0].status, "failed");
  EXPECT_EQ(logged[0].error_detail, "workspace has no URL");
  EXPECT_EQ(logged[1].status, "failed");
  EXPECT_EQ(logged[1].error_detail, "workspace has no URL");
  EXPECT_EQ(seen().back(), "DELEGATION_FAILED");

  auto again = delegations_.delegate(lead_, silent.id, "x", "key-1");
  ASSERT_TRUE(again);
  EXPECT_FALSE(again->idempotent_hit) << "a failed delegation gives its key up";
  EXPECT_NE(again->delegation_id, first->delegation_id);
  delegations_.drain();
}

TEST_F(DelegationsTest, ALiveKeyReturnsTheSameDelegation) {
  agent_.hold();
  auto first = delegations_.delegate(lead_, peer_.id, "x", "key-2");
  ASSERT_TRUE(first);
  auto again = delegations_.delegate(lead_, peer_.id, "something else", "key-2");
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->idempotent_hit);
  EXPECT_EQ(again->delegation_id, first->delegation_id);
  EXPECT_EQ(again->target_id, peer_.id);
  agent_.release();
  delegations_.drain();
  EXPECT_EQ(agent_.received().size(), 1u) << "sent once";
  EXPECT_EQ(rows(lead_).size(), 2u);
}

TEST_F(DelegationsTest, AnUnreachableAgentIsTriedTwice) {
  const auto gone = add("gone", refusedUrl());
  ASSERT_TRUE(delegations_.delegate(lead_, gone.id, "x", ""));
  delegations_.drain();
  EXPECT_EQ(rows(lead_).at(0).error_detail, "failed to reach workspace agent");
  const auto attempts = *store_->listActivity(ActivityFilter{gone.id, std::string("a2a_receive"), {}, {}, {}, 10});
  EXPECT_EQ(attempts.size(), 2u);
}

TEST_F(DelegationsTest, StoppingWaitsForNoRetry) {
  const auto gone = add("gone", refusedUrl());
  auto patient = std::make_unique<Delegations>(*store_, events_, workspaces_, a2a_, Delegations::Options{30s, 60s, 1});
  ASSERT_TRUE(patient->delegate(lead_, gone.id, "first", ""));   // fails once, then waits a minute to retry
  ASSERT_TRUE(patient->delegate(lead_, gone.id, "second", ""));  // queued behind it
  for (int i = 0; i < 200 && store_->listActivity(ActivityFilter{gone.id, std::string("a2a_receive"), {}, {}, {}, 10})->empty(); ++i)
    std::this_thread::sleep_for(10ms);
  const auto t0 = std::chrono::steady_clock::now();
  patient.reset();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 10s);
  const auto logged = rows(lead_);
  ASSERT_EQ(logged.size(), 4u);
  for (const auto& row : logged) EXPECT_EQ(row.status, "failed") << row.summary;
  EXPECT_EQ(logged[0].error_detail, "the server stopped before sending it") << "the queued one is not sent";
  EXPECT_EQ(store_->listActivity(ActivityFilter{gone.id, std::string("a2a_receive"), {}, {}, {}, 10})->size(), 1u);
}

TEST_F(DelegationsTest, AnAgentErrorFailsTheDelegation) {
  agent_.answer(200, {{"jsonrpc", "2.0"}, {"id", "1"}, {"error", {{"code", -32000}, {"message", "model overloaded"}}}});
  ASSERT_TRUE(delegations_.delegate(lead_, peer_.id, "x", ""));
  delegations_.drain();
  EXPECT_EQ(rows(lead_).at(1).status, "failed");
  EXPECT_EQ(rows(lead_).at(1).error_detail, "model overloaded");
  EXPECT_EQ(agent_.received().size(), 1u) << "an answer is not retried";
}

TEST_F(DelegationsTest, RecordedDelegationsAreUpdatedByTheAgent) {
  ASSERT_TRUE(delegations_.record(lead_, peer_.id, "look into it", "task-7"));
  EXPECT_EQ(delegations_.record(lead_, peer_.id, "again", "task-7").error().code, Errc::conflict);
  EXPECT_EQ(delegations_.record(lead_, "peer", "x", "task-8").error().code, Errc::invalid_argument);
  EXPECT_EQ(rows(lead_).at(0).status, "dispatched");
  EXPECT_TRUE(agent_.received().empty()) << "recording sends nothing";

  EXPECT_EQ(delegations_.update(lead_, "task-7", "done", "", "").error().message, "status must be 'completed' or 'failed'");
  EXPECT_EQ(delegations_.update(lead_, "task-9", "completed", "", "").error().code, Errc::not_found);
  const auto other = add("other", "");
  EXPECT_EQ(delegations_.update(other, "task-7", "completed", "", "").error().code, Errc::not_found) << "scoped to its workspace";
  ASSERT_TRUE(delegations_.update(lead_, "task-7", "completed", "", "all good"));
  const auto logged = rows(lead_);
  ASSERT_EQ(logged.size(), 2u);
  EXPECT_EQ(logged[0].method, "delegate_result");
  EXPECT_EQ(json::parse(*logged[0].response_body)["text"], "all good");
  EXPECT_EQ(logged[1].status, "completed");

  ASSERT_TRUE(delegations_.record(lead_, peer_.id, "next", "task-8"));
  ASSERT_TRUE(delegations_.update(lead_, "task-8", "failed", "timed out", ""));
  EXPECT_EQ(rows(lead_).at(0).error_detail, "timed out");
  EXPECT_EQ(seen(), (std::vector<std::string>{"DELEGATION_SENT", "DELEGATION_COMPLETE", "DELEGATION_SENT", "DELEGATION_FAILED"}));
}

// What a crashed run left in flight: the delegations the server itself was sending (pending, or
// dispatched by it) fail at the next start; one an agent sent and recorded is left to the agent.
TEST_F(DelegationsTest, AStartFailsWhatThePreviousRunLeftInFlight) {
  auto row = [&](const std::string& id, const std::string& status) {
    ActivityRecord a;
    a.workspace_id = lead_.id;
    a.activity_type = "delegation";
    a.method = "delegate";
    a.source_id = lead_.id;
    a.target_id = peer_.id;
    a.request_body = json{{"task", "t"}, {"delegation_id", id}}.dump();
    a.status = status;
    a.created_at = nowTime();
    EXPECT_TRUE(store_->insertActivity(a));
  };
  row("queued", "pending");
  row("sending", "pending");
  ASSERT_TRUE(*store_->dispatchDelegation(lead_.id, "sending"));
  EXPECT_FALSE(*store_->dispatchDelegation(lead_.id, "sending")) << "only a pending one";
  row("done", "completed");
  ASSERT_TRUE(delegations_.record(lead_, peer_.id, "the agent's own", "agents"));

  auto failed = delegations_.failInterrupted();
  ASSERT_TRUE(failed) << failed.error().message;
  EXPECT_EQ(*failed, 2u);
  auto status = [&](const std::string& id) { return (*store_->findDelegation(lead_.id, id))->status; };
  EXPECT_EQ(status("queued"), "failed");
  EXPECT_EQ(status("sending"), "failed");
  EXPECT_EQ((*store_->findDelegation(lead_.id, "sending"))->error_detail, Delegations::kInterrupted);
  EXPECT_EQ(status("done"), "completed");
  EXPECT_EQ(status("agents"), "dispatched") << "the agent reports its own outcome";
  const auto logged = rows(lead_);
  ASSERT_GE(logged.size(), 2u);
  for (int i : {0, 1}) {
    EXPECT_EQ(logged[i].method, "delegate_result");
    EXPECT_EQ(logged[i].status, "failed");
    EXPECT_EQ(logged[i].error_detail, Delegations::kInterrupted);
    EXPECT_EQ(logged[i].target_id, peer_.id);
  }
  EXPECT_EQ(seen(), (std::vector<std::string>{"DELEGATION_SENT", "DELEGATION_FAILED", "DELEGATION_FAILED"}));
  EXPECT_EQ(*delegations_.failInterrupted(), 0u) << "once";
}

TEST(DelegationAnswers, TheFirstTextPartElseTheBody) {
  EXPECT_EQ(Delegations::answerText(R"({"result":{"parts":[{"kind":"file"},{"kind":"text","text":"a"}]}})"), "a");
  EXPECT_EQ(Delegations::answerText(R"({"result":{"parts":[{"type":"text","text":"old"}]}})"), "old");
  EXPECT_EQ(Delegations::answerText(R"({"result":{"artifacts":[{"parts":[{"kind":"text","text":"b"}]}]}})"), "b");
  EXPECT_EQ(Delegations::answerText(R"({"result":{"status":"done"}})"), R"({"result":{"status":"done"}})");
  EXPECT_EQ(Delegations::answerText("plain"), "plain");
  EXPECT_EQ(Delegations::answerText(std::string("bad \xff byte")), "bad \xef\xbf\xbd byte") << "made UTF-8";
}

}  // namespace
}  // namespace ws::test
