// The replica plumbing on PostgreSQL (store/postgres/pg_replicas.h): leases between two holders
// on one database, and events between two relays, inline and through the overflow table, and
// after the listening connection drops.

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "store/postgres/pg_replicas.h"
#include "support/pg_test_db.h"
#include "ws/store.h"

namespace ws::test {
namespace {

using namespace std::chrono_literals;

class PgReplicas : public ::testing::Test {
 protected:
  // The schema (leases, relay_overflow) comes with the store's migrations.
  PgReplicas() : store_(openPostgresStore(db_.url())) { EXPECT_TRUE(store_) << store_.error().message; }
  TestDatabase db_;
  Result<StorePtr> store_;
};

// What a relay delivers, for a test to wait on.
class Inbox {
 public:
  EventRelay::Receiver receiver() {
    return [this](const std::string& s) {
      std::lock_guard lock(mutex_);
      got_.push_back(s);
      arrived_.notify_all();
    };
  }
  bool waitFor(std::size_t n, std::chrono::milliseconds limit = 5s) {
    std::unique_lock lock(mutex_);
    return arrived_.wait_for(lock, limit, [&] { return got_.size() >= n; });
  }
  std::vector<std::string> got() {
    std::lock_guard lock(mutex_);
    return got_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable arrived_;
  std::vector<std::string> got_;
};

TEST_F(PgReplicas, ALeaseIsOneHoldersUntilReleased) {
  auto a = std::make_unique<PgLeases>(db_.url(), 150s);
  PgLeases b(db_.url(), 150s);
  EXPECT_NE(a->holder(), b.holder());
  EXPECT_TRUE(a->holds("scheduler"));
  EXPECT_TRUE(a->holds("scheduler")) << "renewed by its holder";
  EXPECT_FALSE(b.holds("scheduler"));
  EXPECT_TRUE(b.holds("orphan-sweep")) << "leases are per job";
  EXPECT_FALSE(a->holds("orphan-sweep"));
  a.reset();  // a clean stop releases
  EXPECT_TRUE(b.holds("scheduler"));
  EXPECT_EQ(db_.countRows("leases"), 2);
}

TEST_F(PgReplicas, AnExpiredLeaseIsTakenOver) {
  PgLeases a(db_.url(), 1s);
  PgLeases b(db_.url(), 1s);
  ASSERT_TRUE(a.holds("liveness-sweep"));
  EXPECT_FALSE(b.holds("liveness-sweep"));
  std::this_thread::sleep_for(1200ms);  // a crashed holder renews no more
  EXPECT_TRUE(b.holds("liveness-sweep"));
  EXPECT_FALSE(a.holds("liveness-sweep")) << "the old holder does not take it back";
}

TEST_F(PgReplicas, OneWinnerWhenManyAskAtOnce) {
  std::vector<std::unique_ptr<PgLeases>> holders;
  for (int i = 0; i < 6; ++i) holders.push_back(std::make_unique<PgLeases>(db_.url(), 150s));
  std::atomic<int> winners = 0;
  std::vector<std::thread> threads;
  for (auto& h : holders) threads.emplace_back([&] { winners += h->holds("race") ? 1 : 0; });
  for (auto& t : threads) t.join();
  EXPECT_EQ(winners, 1);
}

TEST_F(PgReplicas, NoDatabaseNoLease) {
  PgLeases a(db_.url(), 150s);
  TestDatabase::rows(db_.url(), "DROP TABLE leases");
  EXPECT_FALSE(a.holds("scheduler")) << "on doubt, nowhere rather than twice";
}

TEST_F(PgReplicas, EventsCrossInlineAndOversize) {
  PgRelay a(db_.url()), b(db_.url());
  Inbox at_b;
  b.receive(at_b.receiver());
  a.publish(R"({"small":1})");
  const std::string big = R"({"big":")" + std::string(3 * PgRelay::kMaxInline, 'x') + "\"}";
  a.publish(big);
  ASSERT_TRUE(at_b.waitFor(2));
  EXPECT_EQ(at_b.got()[0], R"({"small":1})");
  EXPECT_EQ(at_b.got()[1], big) << "an oversize event arrives whole";
  EXPECT_EQ(db_.countRows("relay_overflow"), 1);
}

TEST_F(PgReplicas, ABurstArrivesWholeInOrderWithRepeatsKept) {
  PgRelay a(db_.url()), b(db_.url());
  Inbox at_b;
  b.receive(at_b.receiver());
  std::vector<std::string> sent;
  for (int i = 0; i < 3000; ++i) sent.push_back(R"({"n":)" + std::to_string(i) + R"(,"pad":")" + std::string(i % 97, 'p') + "\"}");
  for (int i = 0; i < 20; ++i) sent.push_back(R"({"same":true})");  // packed alike: none may be folded away
  sent.push_back("{\"raw\":\"a\nb\"}");                              // a raw newline cannot share a pack
  for (const auto& e : sent) a.publish(e);
  ASSERT_TRUE(at_b.waitFor(sent.size(), 20s)) << at_b.got().size() << " of " << sent.size();
  EXPECT_EQ(at_b.got(), sent);
}

TEST_F(PgReplicas, ADetachedReceiverIsNeverCalledAgain) {
  PgRelay a(db_.url()), b(db_.url());
  Inbox first, second;
  b.receive(first.receiver());
  a.publish(R"({"n":1})");
  ASSERT_TRUE(first.waitFor(1));
  b.receive(second.receiver());
  a.publish(R"({"n":2})");
  ASSERT_TRUE(second.waitFor(1));
  b.receive({});
  a.publish(R"({"n":3})");
  std::this_thread::sleep_for(500ms);
  EXPECT_EQ(first.got().size(), 1u);
  EXPECT_EQ(second.got().size(), 1u);
}

TEST_F(PgReplicas, TheListenerReconnectsAfterADrop) {
  PgRelay a(db_.url()), b(db_.url());
  Inbox at_b;
  b.receive(at_b.receiver());
  // Ends every listening backend (a's and b's), as a database restart or a network cut would.
  const auto ended = TestDatabase::rows(
      db_.url(), "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() "
                 "AND pid <> pg_backend_pid() AND query LIKE 'LISTEN%'");
  ASSERT_GE(ended.size(), 2u);
  // Published until one arrives: those sent before b listens again are lost, by design.
  bool arrived = false;
  for (int i = 0; i < 50 && !arrived; ++i) {
    a.publish(R"({"after":"drop"})");
    arrived = at_b.waitFor(1, 100ms);
  }
  EXPECT_TRUE(arrived) << "b never listened again";
}

}  // namespace
}  // namespace ws::test
