// The A2A queue's storage: claim order, idempotency keys, attempts, expiry, drop-stale, and what
// a restart finds.

#include <gtest/gtest.h>

#include "support/test_store.h"

namespace ws::test {
namespace {

class SqliteA2aQueue : public ::testing::Test {
 protected:
  SqliteA2aQueue() { EXPECT_TRUE(store_->insertWorkspace(w_, createdEvent(w_))); }

  A2aQueueItem item(const std::string& text, const std::string& enqueued_at, int priority = 50) {
    A2aQueueItem i;
    i.id = newUuid();
    i.workspace_id = w_.id;
    i.priority = priority;
    i.body = R"({"text":")" + text + R"("})";
    i.method = "message/send";
    i.enqueued_at = enqueued_at;
    return i;
  }
  std::string enqueue(const A2aQueueItem& i, const std::string& now = "2030-01-01T00:00:00.000Z") {
    auto r = store_->enqueueA2a(i, now);
    EXPECT_TRUE(r) << r.error().message;
    return r ? r->id : "";
  }
  std::string claimBody(const std::string& now = "2030-01-01T00:00:00.000Z") {
    auto c = store_->claimNextA2a(w_.id, now);
    EXPECT_TRUE(c);
    return c && *c ? (*c)->body : "";
  }

  TempStore store_;
  Workspace w_ = makeWorkspace("busy", Status::online);
};

TEST_F(SqliteA2aQueue, ClaimsByPriorityThenAgeAndCountsAttempts) {
  enqueue(item("second", "2029-01-01T00:00:02.000Z"));
  enqueue(item("first", "2029-01-01T00:00:01.000Z"));
  enqueue(item("third", "2029-01-01T00:00:02.000Z"));  // same instant: insertion order
  enqueue(item("urgent", "2029-01-01T00:00:09.000Z", 100));
  EXPECT_EQ(*store_->queuedA2aCount(w_.id), 4);
  EXPECT_EQ(*store_->queuedA2aCount(""), 4);

  auto c = store_->claimNextA2a(w_.id, "2030-01-01T00:00:00.000Z");
  ASSERT_TRUE(c && *c);
  EXPECT_EQ((*c)->body, R"({"text":"urgent"})");
  EXPECT_EQ((*c)->status, "dispatched");
  EXPECT_EQ((*c)->attempts, 1);
  EXPECT_EQ(*store_->queuedA2aCount(w_.id), 3) << "a dispatched item is not queued";
  EXPECT_EQ(claimBody(), R"({"text":"first"})");
  EXPECT_EQ(claimBody(), R"({"text":"second"})");
  EXPECT_EQ(claimBody(), R"({"text":"third"})");
  EXPECT_FALSE(*store_->claimNextA2a(w_.id, "2030-01-01T00:00:00.000Z"));
  EXPECT_FALSE(*store_->claimNextA2a(newUuid(), "2030-01-01T00:00:00.000Z")) << "another workspace's queue is empty";
}

TEST_F(SqliteA2aQueue, AFailureQueuesAgainUntilTheLastAttempt) {
  const std::string id = enqueue(item("flaky", "2029-01-01T00:00:00.000Z"));
  for (int attempt = 1; attempt <= 3; ++attempt) {
    auto c = store_->claimNextA2a(w_.id, "2030-01-01T00:00:00.000Z");
    ASSERT_TRUE(c && *c) << "attempt " << attempt;
    ASSERT_TRUE(store_->failA2a(id, "agent answered 500", 3));
  }
  const auto failed = **store_->findA2aQueueItem(id);
  EXPECT_EQ(failed.status, "failed");
  EXPECT_EQ(failed.attempts, 3);
  EXPECT_EQ(failed.last_error, "agent answered 500");
  EXPECT_FALSE(failed.dispatched_at);
  EXPECT_FALSE(*store_->claimNextA2a(w_.id, "2030-01-01T00:00:00.000Z"));

  const std::string ok = enqueue(item("fine", "2029-01-01T00:00:00.000Z"));
  ASSERT_TRUE(*store_->claimNextA2a(w_.id, "2030-01-01T00:00:00.000Z"));
  ASSERT_TRUE(store_->completeA2a(ok, "2030-01-01T00:00:05.000Z"));
  const auto done = **store_->findA2aQueueItem(ok);
  EXPECT_EQ(done.status, "completed");
  EXPECT_EQ(done.completed_at, "2030-01-01T00:00:05.000Z");
  ASSERT_TRUE(store_->failA2a(ok, "late", 5));
  EXPECT_EQ((**store_->findA2aQueueItem(ok)).status, "completed") << "only a dispatched item can fail";
}

TEST_F(SqliteA2aQueue, AnIdempotencyKeyIsHeldByOneActiveItem) {
  auto first = item("once", "2029-01-01T00:00:00.000Z");
  first.idempotency_key = "msg-1";
  auto r1 = store_->enqueueA2a(first, "2030-01-01T00:00:00.000Z");
  ASSERT_TRUE(r1);
  EXPECT_FALSE(r1->existing);
  EXPECT_EQ(r1->depth, 1);
  auto again = item("once", "2029-01-01T00:00:01.000Z");
  again.idempotency_key = "msg-1";
  auto r2 = store_->enqueueA2a(again, "2030-01-01T00:00:00.000Z");
  ASSERT_TRUE(r2);
  EXPECT_TRUE(r2->existing);
  EXPECT_EQ(r2->id, first.id);
  EXPECT_EQ(r2->depth, 1);

  ASSERT_TRUE(*store_->claimNextA2a(w_.id, "2030-01-01T00:00:00.000Z"));
  EXPECT_TRUE(store_->enqueueA2a(again, "2030-01-01T00:00:00.000Z")->existing) << "held while dispatched";
  ASSERT_TRUE(store_->completeA2a(first.id, "2030-01-01T00:00:00.000Z"));
  auto after = store_->enqueueA2a(again, "2030-01-01T00:00:00.000Z");
  ASSERT_TRUE(after);
  EXPECT_FALSE(after->existing) << "a completed item gives its key up";
  EXPECT_EQ(after->id, again.id);
}

TEST_F(SqliteA2aQueue, AnExpiredItemIsSkippedAndSupersededByItsKey) {
  auto stale = item("late", "2029-01-01T00:00:00.000Z");
  stale.idempotency_key = "msg-2";
  stale.expires_at = "2029-01-01T00:01:00.000Z";
  enqueue(stale);
  EXPECT_FALSE(*store_->claimNextA2a(w_.id, "2029-01-01T00:02:00.000Z")) << "expired: not delivered";
  EXPECT_EQ(claimBody("2029-01-01T00:00:30.000Z"), R"({"text":"late"})") << "before its expiry it goes";
  ASSERT_TRUE(store_->failA2a(stale.id, "busy", 5));

  auto fresh = item("fresh", "2029-01-01T00:05:00.000Z");
  fresh.idempotency_key = "msg-2";
  auto r = store_->enqueueA2a(fresh, "2029-01-01T00:05:00.000Z");
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->existing) << "the expired item does not swallow the new request";
  const auto superseded = **store_->findA2aQueueItem(stale.id);
  EXPECT_EQ(superseded.status, "dropped");
  EXPECT_NE(superseded.last_error->find("superseded"), std::string::npos);
}

TEST_F(SqliteA2aQueue, DropStaleTakesOldAndExpiredQueuedItemsOnly) {
  auto other = makeWorkspace("other", Status::online);
  ASSERT_TRUE(store_->insertWorkspace(other, createdEvent(other)));
  const std::string old_one = enqueue(item("old", "2029-01-01T00:00:00.000Z"));
  const std::string recent = enqueue(item("recent", "2029-01-01T02:00:00.000Z"));
  auto expiring = item("expired", "2029-01-01T02:00:00.000Z");
  expiring.expires_at = "2029-01-01T02:00:10.000Z";
  const std::string expired = enqueue(expiring);
  auto elsewhere = item("elsewhere", "2029-01-01T00:00:00.000Z");
  elsewhere.workspace_id = other.id;
  const std::string foreign = enqueue(elsewhere);
  const std::string in_flight = enqueue(item("in flight", "2028-01-01T00:00:00.000Z"));
  auto claimed = store_->claimNextA2a(w_.id, "2029-01-01T02:00:00.000Z");
  ASSERT_TRUE(claimed && *claimed);
  ASSERT_EQ((*claimed)->id, in_flight) << "the oldest";

  auto dropped = store_->dropStaleA2a(w_.id, "2029-01-01T01:00:00.000Z", "2029-01-01T02:01:00.000Z", "too old");
  ASSERT_TRUE(dropped);
  EXPECT_EQ(*dropped, 2);
  EXPECT_EQ((**store_->findA2aQueueItem(old_one)).status, "dropped");
  EXPECT_EQ((**store_->findA2aQueueItem(old_one)).last_error, "too old");
  EXPECT_EQ((**store_->findA2aQueueItem(expired)).status, "dropped");
  EXPECT_EQ((**store_->findA2aQueueItem(expired)).last_error, "dropped: expired before it was delivered");
  EXPECT_EQ((**store_->findA2aQueueItem(recent)).status, "queued");
  EXPECT_EQ((**store_->findA2aQueueItem(foreign)).status, "queued") << "scoped to the workspace";
  EXPECT_EQ((**store_->findA2aQueueItem(in_flight)).status, "dispatched") << "only queued items are dropped";

  EXPECT_EQ(*store_->dropStaleA2a("", "2029-01-01T01:00:00.000Z", "2029-01-01T02:01:00.000Z", "too old"), 1)
      << "every workspace";
  EXPECT_EQ((**store_->findA2aQueueItem(foreign)).status, "dropped");
}

TEST_F(SqliteA2aQueue, ARestartFindsTheQueueAndRequeuesWhatWasInFlight) {
  const std::string a = enqueue(item("a", "2029-01-01T00:00:00.000Z"));
  const std::string b = enqueue(item("b", "2029-01-01T00:00:01.000Z"));
  ASSERT_TRUE(*store_->claimNextA2a(w_.id, "2030-01-01T00:00:00.000Z"));
  store_.reopen();
  EXPECT_EQ(*store_->workspacesWithQueuedA2a(), std::vector<std::string>{w_.id});
  EXPECT_EQ(*store_->requeueDispatchedA2a(), 1);
  EXPECT_EQ(*store_->queuedA2aCount(w_.id), 2);
  EXPECT_EQ(claimBody(), R"({"text":"a"})") << "the interrupted item keeps its place";
  EXPECT_EQ((**store_->findA2aQueueItem(a)).attempts, 2);
  EXPECT_EQ((**store_->findA2aQueueItem(b)).status, "queued");
}

TEST_F(SqliteA2aQueue, ItemsGoWithTheirWorkspace) {
  enqueue(item("x", "2029-01-01T00:00:00.000Z"));
  ASSERT_TRUE(store_->purge({w_.id}));
  EXPECT_EQ(*store_->queuedA2aCount(""), 0);
}

}  // namespace
}  // namespace ws::test
