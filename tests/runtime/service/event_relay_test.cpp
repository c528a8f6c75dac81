// Events between replicas (ws/replicas.h EventRelay): two buses, as on two servers over one
// database, joined by a relay held in memory that, like LISTEN/NOTIFY, hands every message to
// every replica, the sender included.

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <mutex>
#include <vector>

#include "service/events.h"
#include "service/live_events.h"
#include "support/test_store.h"

namespace ws::test {
namespace {

// One endpoint per replica; publish() delivers synchronously to every endpoint's receiver.
class MemoryRelay final : public EventRelay {
 public:
  explicit MemoryRelay(std::vector<MemoryRelay*>& all) : all_(all) { all_.push_back(this); }
  void publish(const std::string& serialised) override {
    ++published;
    for (auto* endpoint : all_) endpoint->arrive(serialised);
  }
  void receive(Receiver receiver) override {
    std::lock_guard lock(mutex_);
    receiver_ = std::move(receiver);
  }
  void arrive(const std::string& serialised) {
    std::lock_guard lock(mutex_);
    if (receiver_) receiver_(serialised);
  }
  int published = 0;

 private:
  std::vector<MemoryRelay*>& all_;
  std::recursive_mutex mutex_;  // a receiver that publishes again would re-enter
  Receiver receiver_;
};

class EventRelayTest : public ::testing::Test {
 protected:
  EventRelayTest() {
    a_.relayThrough(relay_a_);
    b_.relayThrough(relay_b_);
  }
  static std::function<void(const Event&)> into(std::vector<Event>& seen) {
    return [&seen](const Event& e) { seen.push_back(e); };
  }

  TempStore store_;
  std::vector<MemoryRelay*> endpoints_;
  MemoryRelay relay_a_{endpoints_}, relay_b_{endpoints_};
  EventBus a_{*store_}, b_{*store_};
  std::vector<Event> on_a_, on_b_;
  EventBus::Subscription sub_a_ = a_.subscribe(into(on_a_));
  EventBus::Subscription sub_b_ = b_.subscribe(into(on_b_));
};

TEST_F(EventRelayTest, AnEventPublishedOnOneReplicaReachesEachSubscriberOnce) {
  a_.record("WORKSPACE_UPDATED", "w-1", {{"name", "renamed"}});
  ASSERT_EQ(on_a_.size(), 1u) << "its own echo is dropped";
  ASSERT_EQ(on_b_.size(), 1u);
  EXPECT_EQ(relay_a_.published, 1);
  EXPECT_EQ(relay_b_.published, 0) << "what arrives is not relayed again";
  const Event& e = on_b_[0];
  EXPECT_EQ(e.event_type, "WORKSPACE_UPDATED");
  EXPECT_EQ(e.workspace_id, "w-1");
  EXPECT_EQ(nlohmann::json::parse(e.payload)["name"], "renamed");
  EXPECT_EQ(e.id, on_a_[0].id) << "the id the store recorded it under";
  EXPECT_GT(e.id, 0);
  EXPECT_EQ(e.created_at, on_a_[0].created_at);
}

TEST_F(EventRelayTest, BroadcastsWithoutAWorkspaceCrossInBothDirections) {
  b_.broadcast("A2A_RESPONSE", std::nullopt, {{"status", 200}});
  a_.broadcast("AGENT_MESSAGE", "w-2");
  ASSERT_EQ(on_a_.size(), 2u);
  ASSERT_EQ(on_b_.size(), 2u);
  EXPECT_EQ(on_a_[0].event_type, "A2A_RESPONSE");
  EXPECT_FALSE(on_a_[0].workspace_id);
  EXPECT_EQ(on_b_[1].event_type, "AGENT_MESSAGE");
  EXPECT_EQ(on_a_[0].id, 0) << "not recorded";
}

TEST_F(EventRelayTest, WhatIsNotAnEventIsDropped) {
  for (const char* junk : {"", "not json", "[]", R"({"origin":"x"})", R"({"origin":"x","id":"1","event_type":"E",
       "workspace_id":null,"payload":"{}","created_at":""})", R"({"origin":7,"id":1})"})
    relay_b_.arrive(junk);
  EXPECT_TRUE(on_b_.empty());
}

TEST_F(EventRelayTest, ABusThatIsGoneReceivesNothing) {
  MemoryRelay relay_c{endpoints_};
  int seen_on_c = 0;
  {
    EventBus c{*store_};
    c.relayThrough(relay_c);
    auto sub = c.subscribe([&seen_on_c](const Event&) { ++seen_on_c; });
    a_.record("WORKSPACE_UPDATED", "w-3");
    EXPECT_EQ(seen_on_c, 1);
  }  // c detaches from its relay
  a_.record("WORKSPACE_UPDATED", "w-3");  // reaches relay_c, which has no receiver now
  EXPECT_EQ(seen_on_c, 1);
  EXPECT_EQ(on_b_.size(), 2u);
  endpoints_.pop_back();
}

TEST_F(EventRelayTest, EachBusHasItsOwnOrigin) {
  EXPECT_NE(a_.origin(), b_.origin());
  EXPECT_FALSE(a_.origin().empty());
}

// What the relay is for: a live client (/ws, SSE) connected to B sees a change made on A.
TEST_F(EventRelayTest, ALiveClientOnOneReplicaSeesAChangeMadeOnAnother) {
  auto w = makeWorkspace("watched", Status::online);
  ASSERT_TRUE(store_->insertWorkspace(w, createdEvent(w)));
  LiveEvents live_b(b_, *store_);
  auto feed = live_b.open(LiveScope::workspace(w.id), LiveWire::envelope);
  ASSERT_TRUE(feed);
  a_.record("WORKSPACE_OFFLINE", w.id, {{"reason", "silent"}});
  std::deque<std::string> got;
  (*feed)->take(got, nullptr);
  ASSERT_EQ(got.size(), 1u);
  const auto msg = nlohmann::json::parse(got[0]);
  EXPECT_EQ(msg["type"], "WORKSPACE_OFFLINE");
  EXPECT_EQ(msg["data"]["reason"], "silent");
}

// A token revoked on A ends the streams it opened on B at once (not at their next reconnect).
TEST_F(EventRelayTest, ARevocationOnOneReplicaEndsStreamsOnAnother) {
  LiveEvents live_a(a_, *store_), live_b(b_, *store_);
  bool w1_valid = true;
  auto revoked = live_b.open(LiveScope::everything(), LiveWire::message, {"w1", [&w1_valid] { return w1_valid; }});
  auto other = live_b.open(LiveScope::everything(), LiveWire::message, {"w2", [] { return false; }});
  auto admin = live_b.open(LiveScope::everything(), LiveWire::message);
  ASSERT_TRUE(revoked && other && admin);
  live_a.recheck("w1");
  EXPECT_FALSE((*revoked)->closed()) << "still valid";
  w1_valid = false;
  live_a.recheck("w1");
  EXPECT_TRUE((*revoked)->closed());
  EXPECT_FALSE((*other)->closed()) << "only the authority asked about";
  live_a.recheckAll();
  EXPECT_TRUE((*other)->closed());
  EXPECT_FALSE((*admin)->closed()) << "no grant to lose";
  std::deque<std::string> got;
  (*admin)->take(got, nullptr);
  EXPECT_TRUE(got.empty()) << "the recheck is not an event for clients";
}

TEST(NoRelay, CarriesNothing) {
  NoRelay relay;
  int called = 0;
  relay.receive([&called](const std::string&) { ++called; });
  relay.publish("{}");
  EXPECT_EQ(called, 0);
}

}  // namespace
}  // namespace ws::test
