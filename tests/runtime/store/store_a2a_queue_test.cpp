// The A2A queue's storage: claim order, idempotency keys, attempts, expiry, drop-stale, and what
// a restart finds.

#include <gtest/gtest.h>

#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "support/store_types.h"

namespace ws::test {
namespace {

template <class T>
class StoreA2aQueue : public ::testing::Test {
 protected:
  StoreA2aQueue() { EXPECT_TRUE(store_->insertWorkspace(w_, createdEvent(w_))); }

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

  T store_;
  Workspace w_ = makeWorkspace("busy", Status::online);
};
TYPED_TEST_SUITE(StoreA2aQueue, StoreTypes, StoreTypeNames);

TYPED_TEST(StoreA2aQueue, ClaimsByPriorityThenAgeAndCountsAttempts) {
  this->enqueue(this->item("second", "2029-01-01T00:00:02.000Z"));
  this->enqueue(this->item("first", "2029-01-01T00:00:01.000Z"));
  this->enqueue(this->item("third", "2029-01-01T00:00:02.000Z"));  // same instant: insertion order
  this->enqueue(this->item("urgent", "2029-01-01T00:00:09.000Z", 100));
  EXPECT_EQ(*this->store_->queuedA2aCount(this->w_.id), 4);
  EXPECT_EQ(*this->store_->queuedA2aCount(""), 4);

  auto c = this->store_->claimNextA2a(this->w_.id, "2030-01-01T00:00:00.000Z");
  ASSERT_TRUE(c && *c);
  EXPECT_EQ((*c)->body, R"({"text":"urgent"})");
  EXPECT_EQ((*c)->status, "dispatched");
  EXPECT_EQ((*c)->attempts, 1);
  EXPECT_EQ(*this->store_->queuedA2aCount(this->w_.id), 3) << "a dispatched item is not queued";
  EXPECT_EQ(this->claimBody(), R"({"text":"first"})");
  EXPECT_EQ(this->claimBody(), R"({"text":"second"})");
  EXPECT_EQ(this->claimBody(), R"({"text":"third"})");
  EXPECT_FALSE(*this->store_->claimNextA2a(this->w_.id, "2030-01-01T00:00:00.000Z"));
  EXPECT_FALSE(*this->store_->claimNextA2a(newUuid(), "2030-01-01T00:00:00.000Z")) << "another workspace's queue is empty";
}

TYPED_TEST(StoreA2aQueue, AFailureQueuesAgainUntilTheLastAttempt) {
  const std::string id = this->enqueue(this->item("flaky", "2029-01-01T00:00:00.000Z"));
  for (int attempt = 1; attempt <= 3; ++attempt) {
    auto c = this->store_->claimNextA2a(this->w_.id, "2030-01-01T00:00:00.000Z");
    ASSERT_TRUE(c && *c) << "attempt " << attempt;
    ASSERT_TRUE(this->store_->failA2a(id, "agent answered 500", 3));
  }
  const auto failed = **this->store_->findA2aQueueItem(id);
  EXPECT_EQ(failed.status, "failed");
  EXPECT_EQ(failed.attempts, 3);
  EXPECT_EQ(failed.last_error, "agent answered 500");
  EXPECT_FALSE(failed.dispatched_at);
  EXPECT_FALSE(*this->store_->claimNextA2a(this->w_.id, "2030-01-01T00:00:00.000Z"));

  const std::string ok = this->enqueue(this->item("fine", "2029-01-01T00:00:00.000Z"));
  ASSERT_TRUE(*this->store_->claimNextA2a(this->w_.id, "2030-01-01T00:00:00.000Z"));
  ASSERT_TRUE(this->store_->completeA2a(ok, "2030-01-01T00:00:05.000Z"));
  const auto done = **this->store_->findA2aQueueItem(ok);
  EXPECT_EQ(done.status, "completed");
  EXPECT_EQ(done.completed_at, "2030-01-01T00:00:05.000Z");
  ASSERT_TRUE(this->store_->failA2a(ok, "late", 5));
  EXPECT_EQ((**this->store_->findA2aQueueItem(ok)).status, "completed") << "only a dispatched item can fail";
}

TYPED_TEST(StoreA2aQueue, AnIdempotencyKeyIsHeldByOneActiveItem) {
  auto first = this->item("once", "2029-01-01T00:00:00.000Z");
  first.idempotency_key = "msg-1";
  auto r1 = this->store_->enqueueA2a(first, "2030-01-01T00:00:00.000Z");
  ASSERT_TRUE(r1);
  EXPECT_FALSE(r1->existing);
  EXPECT_EQ(r1->depth, 1);
  auto again = this->item("once", "2029-01-01T00:00:01.000Z");
  again.idempotency_key = "msg-1";
  auto r2 = this->store_->enqueueA2a(again, "2030-01-01T00:00:00.000Z");
  ASSERT_TRUE(r2);
  EXPECT_TRUE(r2->existing);
  EXPECT_EQ(r2->id, first.id);
  EXPECT_EQ(r2->depth, 1);

  ASSERT_TRUE(*this->store_->claimNextA2a(this->w_.id, "2030-01-01T00:00:00.000Z"));
  EXPECT_TRUE(this->store_->enqueueA2a(again, "2030-01-01T00:00:00.000Z")->existing) << "held while dispatched";
  ASSERT_TRUE(this->store_->completeA2a(first.id, "2030-01-01T00:00:00.000Z"));
  auto after = this->store_->enqueueA2a(again, "2030-01-01T00:00:00.000Z");
  ASSERT_TRUE(after);
  EXPECT_FALSE(after->existing) << "a completed item gives its key up";
  EXPECT_EQ(after->id, again.id);
}

TYPED_TEST(StoreA2aQueue, AnExpiredItemIsSkippedAndSupersededByItsKey) {
  auto stale = this->item("late", "2029-01-01T00:00:00.000Z");
  stale.idempotency_key = "msg-2";
  stale.expires_at = "2029-01-01T00:01:00.000Z";
  this->enqueue(stale);
  EXPECT_FALSE(*this->store_->claimNextA2a(this->w_.id, "2029-01-01T00:02:00.000Z")) << "expired: not delivered";
  EXPECT_EQ(this->claimBody("2029-01-01T00:00:30.000Z"), R"({"text":"late"})") << "before its expiry it goes";
  ASSERT_TRUE(this->store_->failA2a(stale.id, "busy", 5));

  auto fresh = this->item("fresh", "2029-01-01T00:05:00.000Z");
  fresh.idempotency_key = "msg-2";
  auto r = this->store_->enqueueA2a(fresh, "2029-01-01T00:05:00.000Z");
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->existing) << "the expired item does not swallow the new request";
  const auto superseded = **this->store_->findA2aQueueItem(stale.id);
  EXPECT_EQ(superseded.status, "dropped");
  EXPECT_NE(superseded.last_error->find("superseded"), std::string::npos);
}

TYPED_TEST(StoreA2aQueue, DropStaleTakesOldAndExpiredQueuedItemsOnly) {
  auto other = makeWorkspace("other", Status::online);
  ASSERT_TRUE(this->store_->insertWorkspace(other, createdEvent(other)));
  const std::string old_one = this->enqueue(this->item("old", "2029-01-01T00:00:00.000Z"));
  const std::string recent = this->enqueue(this->item("recent", "2029-01-01T02:00:00.000Z"));
  auto expiring = this->item("expired", "2029-01-01T02:00:00.000Z");
  expiring.expires_at = "2029-01-01T02:00:10.000Z";
  const std::string expired = this->enqueue(expiring);
  auto elsewhere = this->item("elsewhere", "2029-01-01T00:00:00.000Z");
  elsewhere.workspace_id = other.id;
  const std::string foreign = this->enqueue(elsewhere);
  const std::string in_flight = this->enqueue(this->item("in flight", "2028-01-01T00:00:00.000Z"));
  auto claimed = this->store_->claimNextA2a(this->w_.id, "2029-01-01T02:00:00.000Z");
  ASSERT_TRUE(claimed && *claimed);
  ASSERT_EQ((*claimed)->id, in_flight) << "the oldest";

  auto dropped = this->store_->dropStaleA2a(this->w_.id, "2029-01-01T01:00:00.000Z", "2029-01-01T02:01:00.000Z", "too old");
  ASSERT_TRUE(dropped);
  EXPECT_EQ(*dropped, 2);
  EXPECT_EQ((**this->store_->findA2aQueueItem(old_one)).status, "dropped");
  EXPECT_EQ((**this->store_->findA2aQueueItem(old_one)).last_error, "too old");
  EXPECT_EQ((**this->store_->findA2aQueueItem(expired)).status, "dropped");
  EXPECT_EQ((**this->store_->findA2aQueueItem(expired)).last_error, "dropped: expired before it was delivered");
  EXPECT_EQ((**this->store_->findA2aQueueItem(recent)).status, "queued");
  EXPECT_EQ((**this->store_->findA2aQueueItem(foreign)).status, "queued") << "scoped to the workspace";
  EXPECT_EQ((**this->store_->findA2aQueueItem(in_flight)).status, "dispatched") << "only queued items are dropped";

  EXPECT_EQ(*this->store_->dropStaleA2a("", "2029-01-01T01:00:00.000Z", "2029-01-01T02:01:00.000Z", "too old"), 1)
      << "every workspace";
  EXPECT_EQ((**this->store_->findA2aQueueItem(foreign)).status, "dropped");
}

TYPED_TEST(StoreA2aQueue, ARestartFindsTheQueueAndRequeuesWhatWasInFlight) {
  const std::string a = this->enqueue(this->item("a", "2029-01-01T00:00:00.000Z"));
  const std::string b = this->enqueue(this->item("b", "2029-01-01T00:00:01.000Z"));
  ASSERT_TRUE(*this->store_->claimNextA2a(this->w_.id, "2030-01-01T00:00:00.000Z"));
  this->store_.reopen();
  EXPECT_EQ(*this->store_->workspacesWithQueuedA2a(), std::vector<std::string>{this->w_.id});
  EXPECT_EQ(*this->store_->requeueDispatchedA2a("2030-01-01T00:00:00.000Z"), 0) << "dispatched at that time: not before";
  EXPECT_EQ(*this->store_->requeueDispatchedA2a("2030-01-01T00:00:00.001Z"), 1);
  EXPECT_EQ(*this->store_->queuedA2aCount(this->w_.id), 2);
  EXPECT_EQ(this->claimBody(), R"({"text":"a"})") << "the interrupted item keeps its place";
  EXPECT_EQ((**this->store_->findA2aQueueItem(a)).attempts, 2);
  EXPECT_EQ((**this->store_->findA2aQueueItem(b)).status, "queued");
}

TYPED_TEST(StoreA2aQueue, ItemsGoWithTheirWorkspace) {
  this->enqueue(this->item("x", "2029-01-01T00:00:00.000Z"));
  ASSERT_TRUE(this->store_->purge({this->w_.id}));
  EXPECT_EQ(*this->store_->queuedA2aCount(""), 0);
}

}  // namespace
}  // namespace ws::test

namespace ws::test {
namespace {

// Drains racing on one queue (two servers on PostgreSQL) never dispatch an item twice.
TYPED_TEST(StoreA2aQueue, ConcurrentClaimsTakeEachItemOnce) {
  constexpr int kItems = 60;
  for (int i = 0; i < kItems; ++i) this->enqueue(this->item("m" + std::to_string(i), "2029-01-01T00:00:00.000Z"));
  std::mutex mutex;
  std::multiset<std::string> claimed;
  auto drain = [&] {
    for (;;) {
      auto c = this->store_->claimNextA2a(this->w_.id, "2030-01-01T00:00:00.000Z");
      ASSERT_TRUE(c) << c.error().message;
      if (!*c) return;
      std::lock_guard lock(mutex);
      claimed.insert((*c)->id);
    }
  };
  std::vector<std::thread> drains;
  for (int i = 0; i < 4; ++i) drains.emplace_back(drain);
  for (auto& t : drains) t.join();
  EXPECT_EQ(claimed.size(), static_cast<std::size_t>(kItems));
  EXPECT_EQ(std::set<std::string>(claimed.begin(), claimed.end()).size(), claimed.size()) << "an item claimed twice";
}

}  // namespace
}  // namespace ws::test
