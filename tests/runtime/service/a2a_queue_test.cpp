// The busy-agent queue: a delivery that times out is queued (202) and goes out again, in order,
// when a heartbeat reports room; an item that still finds the agent busy keeps its place; one
// that keeps failing ends failed; agents with a native session, and callers that retry
// themselves (delegations), are not queued; drop-stale.

#include "service/a2a_queue.h"

#include <gtest/gtest.h>

#include <sstream>
#include <thread>

#include "service/delegations.h"
#include "support/fake_agent.h"
#include "support/probes.h"
#include "support/service_stack.h"

namespace ws::test {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

json message(const std::string& text) {
  return A2aDelivery::normalize(a2aMessage(text));
}


std::string textOf(const json& rpc) { return rpc["params"]["message"]["parts"][0]["text"]; }

class A2aQueueTest : public ::testing::Test, protected ServiceStack {
 protected:
  A2aQueueTest() {
    target_.url = agent_.url();
    EXPECT_TRUE(store_->insertWorkspace(target_, createdEvent(target_)));
    a2a_.queueBusyDeliveriesIn(queue_);
  }
  ~A2aQueueTest() override {
    agent_.release();
    workspaces_.drain();
  }
  // A delivery to the held agent that times out.
  A2aReply busyDelivery(const std::string& text) { return a2a_.deliver(target_, "", message(text), 1s); }
  std::vector<std::string> receivedTexts() {
    std::vector<std::string> out;
    for (const auto& r : agent_.received()) out.push_back(textOf(r));
    return out;
  }
  A2aQueueItem itemOf(const A2aReply& reply) { return **store_->findA2aQueueItem(json::parse(reply.body)["queue_id"]); }

  FakeAgent agent_;
  Metrics metrics_;
  A2aDelivery a2a_{*store_, events_, workspaces_, config_, &metrics_};
  A2aQueue queue_{*store_, workspaces_, a2a_, &metrics_, A2aQueue::Options{1s}};
  Workspace target_ = makeWorkspace("busy", Status::online);
};

TEST_F(A2aQueueTest, ABusyAgentsRequestIsQueuedAndAnswered202) {
  agent_.hold();
  const A2aReply first = busyDelivery("one");
  ASSERT_EQ(first.status, 202) << first.body;
  const json body = json::parse(first.body);
  EXPECT_EQ(body["queued"], true);
  EXPECT_TRUE(isUuid(body["queue_id"].get<std::string>()));
  EXPECT_EQ(body["queue_depth"], 1);
  EXPECT_EQ(body["message"], "workspace agent busy — request queued, will dispatch when capacity available");
  EXPECT_EQ(json::parse(busyDelivery("two").body)["queue_depth"], 2);

  const auto item = itemOf(first);
  EXPECT_EQ(item.workspace_id, target_.id);
  EXPECT_FALSE(item.caller_id) << "the canvas";
  EXPECT_EQ(item.priority, A2aQueue::kPriorityTask);
  EXPECT_EQ(item.method, "message/send");
  EXPECT_EQ(textOf(json::parse(item.body)), "one");
  EXPECT_EQ(item.idempotency_key, json::parse(item.body)["params"]["message"]["messageId"].get<std::string>());
  EXPECT_FALSE(item.expires_at);
  EXPECT_EQ(*queue_.depth(), 2);
  const auto logged = *store_->listActivity({.workspace_id = target_.id});
  ASSERT_EQ(logged.size(), 2u) << "each attempt is an activity row";
  EXPECT_EQ(logged[0].status, "timeout");
  EXPECT_EQ(metricSample(metrics_.render({}), "molecule_a2a_queue_enqueued_total"), 2);
}

TEST_F(A2aQueueTest, TheSameMessageIsQueuedOnceAndATtlBoundsTheWait) {
  agent_.hold();
  json rpc = message("again");
  rpc["params"]["expires_in_seconds"] = 60;
  const auto t0 = Clock::now();
  const A2aReply first = a2a_.deliver(target_, "", rpc, 1s);
  const A2aReply second = a2a_.deliver(target_, "", rpc, 1s);
  ASSERT_EQ(second.status, 202);
  EXPECT_EQ(json::parse(second.body)["queue_id"], json::parse(first.body)["queue_id"]);
  EXPECT_EQ(json::parse(second.body)["queue_depth"], 1);
  const auto expires = unixMillis(*itemOf(first).expires_at);
  ASSERT_TRUE(expires);
  const auto expected = std::chrono::duration_cast<std::chrono::milliseconds>((t0 + 60s).time_since_epoch()).count();
  EXPECT_NEAR(double(*expires), double(expected), 5000);
}

TEST_F(A2aQueueTest, AFullQueueAnswersBusy) {
  for (int i = 0; i < A2aQueue::kMaxDepth; ++i) ASSERT_TRUE(queue_.enqueue(target_.id, "", message("filler")));
  EXPECT_FALSE(queue_.enqueue(target_.id, "", message("one too many")));
  agent_.hold();
  const A2aReply busy = busyDelivery("refused");
  EXPECT_EQ(busy.status, 503) << busy.body;
  EXPECT_EQ(json::parse(busy.body)["busy"], true);
  EXPECT_EQ(*queue_.depth(), A2aQueue::kMaxDepth);
}

TEST_F(A2aQueueTest, AHeartbeatWithRoomDeliversTheQueueInOrder) {
  agent_.hold();
  for (const char* text : {"one", "two", "three"}) ASSERT_EQ(busyDelivery(text).status, 202);
  agent_.release();

  queue_.heartbeat(target_.id, 1, 1, std::nullopt);  // no room: nothing goes
  workspaces_.drain();
  EXPECT_EQ(agent_.received().size(), 3u);

  queue_.heartbeat(target_.id, 0, 2, std::nullopt);  // room for two
  workspaces_.drain();
  EXPECT_EQ(receivedTexts(), (std::vector<std::string>{"one", "two", "three", "one", "two"}));
  EXPECT_EQ(*queue_.depth(), 1);
  queue_.heartbeat(target_.id, 0, 2, std::nullopt);
  workspaces_.drain();
  EXPECT_EQ(receivedTexts().back(), "three");
  EXPECT_EQ(*queue_.depth(), 0);
  EXPECT_EQ(metricSample(metrics_.render({}), "molecule_a2a_queue_drained_total", R"(outcome="completed")"), 3);
  EXPECT_EQ(store_->listActivity({.workspace_id = target_.id})->size(), 6u)
      << "each drained delivery adds its activity row";
}

TEST_F(A2aQueueTest, AnItemThatStillFindsTheAgentBusyKeepsItsPlace) {
  agent_.hold();
  const A2aReply first = busyDelivery("first");
  ASSERT_EQ(busyDelivery("second").status, 202);
  EXPECT_EQ(queue_.drain(target_.id, 2), 0) << "still busy: the drain stops";
  const auto item = itemOf(first);
  EXPECT_EQ(item.status, "queued");
  EXPECT_EQ(item.attempts, 1);
  EXPECT_EQ(item.last_error, "workspace agent is busy");
  EXPECT_EQ(*queue_.depth(), 2) << "not queued a second time";

  agent_.release();
  EXPECT_EQ(queue_.drain(target_.id, 5), 2);
  EXPECT_EQ(receivedTexts(), (std::vector<std::string>{"first", "second", "first", "first", "second"}));
  EXPECT_EQ(itemOf(first).status, "completed");
}

TEST_F(A2aQueueTest, AnItemThatKeepsFailingEndsFailed) {
  agent_.hold();
  const A2aReply queued = busyDelivery("doomed");
  agent_.answer(500, {{"error", "model overloaded"}});
  agent_.release();
  for (int i = 0; i < A2aQueue::kMaxAttempts; ++i) EXPECT_EQ(queue_.drain(target_.id, 1), 0);
  const auto item = itemOf(queued);
  EXPECT_EQ(item.status, "failed");
  EXPECT_EQ(item.attempts, A2aQueue::kMaxAttempts);
  EXPECT_EQ(item.last_error, "model overloaded");
  EXPECT_EQ(queue_.drain(target_.id, 1), 0);
  EXPECT_EQ(agent_.received().size(), 1u + A2aQueue::kMaxAttempts) << "a failed item goes no more";
}

TEST_F(A2aQueueTest, NativeSessionsAndSelfRetryingCallersAreNotQueued) {
  agent_.hold();
  queue_.heartbeat(target_.id, 1, 1, true);
  const A2aReply native = busyDelivery("native");
  EXPECT_EQ(native.status, 503);
  EXPECT_EQ(native.retry_after, 30);
  EXPECT_EQ(json::parse(native.body),
            (json{{"error", "workspace agent busy — adapter handles retry (native_session)"}, {"busy", true},
                  {"retry_after", 30}, {"native_session", true}}));
  queue_.heartbeat(target_.id, 1, 1, std::nullopt);
  EXPECT_EQ(busyDelivery("still native").status, 503) << "a heartbeat that says nothing keeps the capability";
  queue_.heartbeat(target_.id, 1, 1, false);

  {
    A2aQueue::NoQueueing direct;
    const A2aReply busy = busyDelivery("direct");
    EXPECT_EQ(busy.status, 503);
    EXPECT_EQ(json::parse(busy.body)["busy"], true);
  }
  EXPECT_EQ(*queue_.depth(), 0);
  EXPECT_EQ(busyDelivery("queued").status, 202) << "NoQueueing ends with its scope";
}

TEST_F(A2aQueueTest, ADelegationToABusyAgentFailsRatherThanQueues) {
  agent_.hold();
  auto lead = makeWorkspace("lead", Status::online);
  ASSERT_TRUE(store_->insertWorkspace(lead, createdEvent(lead)));
  Delegations delegations{*store_, events_, workspaces_, a2a_, Delegations::Options{1s, 10ms, 1}};
  auto accepted = delegations.delegate(lead, target_.id, "urgent", "");
  ASSERT_TRUE(accepted) << accepted.error().message;
  delegations.drain();
  EXPECT_EQ(*queue_.depth(), 0);
  const auto rows = *delegations.list(lead.id);
  ASSERT_FALSE(rows.empty());
  EXPECT_EQ(rows[0].status, "failed");
  EXPECT_EQ(rows[0].error_detail, "workspace agent is busy");
}

TEST_F(A2aQueueTest, ARestartKeepsTheQueueAndItsWork) {
  agent_.hold();
  ASSERT_EQ(busyDelivery("survivor").status, 202);
  agent_.release();
  A2aQueue restarted{*store_, workspaces_, a2a_, nullptr, A2aQueue::Options{1s}};
  restarted.heartbeat(target_.id, 0, 1, std::nullopt);
  workspaces_.drain();
  EXPECT_EQ(receivedTexts().back(), "survivor") << "a new queue learns which workspaces have work";
  EXPECT_EQ(*restarted.depth(), 0);
}

// Replicas share the table, not the memory of which workspaces have work: the sweeper's
// learnQueued tells B what A queued, so the agent's heartbeat to B drains it.
TEST_F(A2aQueueTest, AnotherReplicaLearnsOfQueuedWorkFromTheStore) {
  A2aQueue replica_b{*store_, workspaces_, a2a_, nullptr, A2aQueue::Options{1s}};
  agent_.hold();
  ASSERT_EQ(busyDelivery("queued on a").status, 202);
  agent_.release();
  replica_b.heartbeat(target_.id, 0, 1, std::nullopt);
  workspaces_.drain();
  EXPECT_EQ(agent_.received().size(), 1u) << "b has not heard of it yet";
  replica_b.learnQueued();
  replica_b.heartbeat(target_.id, 0, 1, std::nullopt);
  workspaces_.drain();
  EXPECT_EQ(receivedTexts().back(), "queued on a");
  EXPECT_EQ(*replica_b.depth(), 0);
}

TEST_F(A2aQueueTest, DropStaleDropsExpiredAndOldItems) {
  agent_.hold();
  json rpc = message("short-lived");
  rpc["params"]["expires_in_seconds"] = 1;
  ASSERT_EQ(a2a_.deliver(target_, "", rpc, 1s).status, 202);
  ASSERT_EQ(busyDelivery("patient").status, 202);
  std::this_thread::sleep_for(1100ms);
  auto dropped = queue_.dropStale("", A2aQueue::kDefaultStaleAge);
  ASSERT_TRUE(dropped);
  EXPECT_EQ(*dropped, 1) << "expired; the other is younger than an hour";
  EXPECT_EQ(*queue_.depth(), 1);
  EXPECT_EQ(*queue_.dropStale(newUuid(), 1min), 0) << "another workspace";
  EXPECT_EQ(metricSample(metrics_.render({}), "molecule_a2a_queue_dropped_total"), 1);
}

TEST_F(A2aQueueTest, AGoneWorkspacesItemFailsAtOnce) {
  agent_.hold();
  const A2aReply queued = busyDelivery("orphan");
  ASSERT_TRUE(store_->markRemoved({target_.id}, {}));
  EXPECT_EQ(queue_.drain(target_.id, 1), 0);
  EXPECT_EQ(itemOf(queued).status, "failed");
}

}  // namespace
}  // namespace ws::test
