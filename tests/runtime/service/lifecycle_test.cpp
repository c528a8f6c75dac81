#include "service/lifecycle.h"

#include <gtest/gtest.h>

#include "support/test_store.h"

namespace ws::test {
namespace {

class LifecycleTest : public ::testing::Test {
 protected:
  TempStore store_;
  EventBus events_{*store_};
  Lifecycle lifecycle_{*store_, events_};
  std::vector<Event> published_;
  EventBus::Subscription subscription_ = events_.subscribe([this](const Event& e) { published_.push_back(e); });
};

TEST_F(LifecycleTest, ChangeRecordsAndPublishes) {
  auto w = makeWorkspace("a", Status::provisioning);
  ASSERT_TRUE(store_->insertWorkspace(w, createdEvent(w)));
  auto changed = lifecycle_.change(StatusChange::to(Status::online, w.id, {{"k", 1}}));
  ASSERT_TRUE(changed);
  EXPECT_TRUE(*changed);
  EXPECT_EQ((*store_->findWorkspace(w.id))->status, Status::online);
  ASSERT_EQ(published_.size(), 1u);
  EXPECT_EQ(published_[0].event_type, "WORKSPACE_ONLINE");
  auto events = *store_->listEvents(w.id, 10);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].event_type, "WORKSPACE_ONLINE") << "newest first";
  EXPECT_EQ(events[0].payload, R"({"k":1})");
}

TEST_F(LifecycleTest, StateMachineRefusesIllegalChanges) {
  auto w = makeWorkspace("b", Status::provisioning);
  ASSERT_TRUE(store_->insertWorkspace(w, createdEvent(w)));
  auto changed = lifecycle_.change(StatusChange::to(Status::degraded, w.id));
  ASSERT_TRUE(changed);
  EXPECT_FALSE(*changed);
  EXPECT_EQ((*store_->findWorkspace(w.id))->status, Status::provisioning);
  EXPECT_TRUE(published_.empty());
}

TEST_F(LifecycleTest, OnlyFromNarrowsTheSources) {
  auto w = makeWorkspace("c", Status::failed);
  ASSERT_TRUE(store_->insertWorkspace(w, createdEvent(w)));
  EXPECT_FALSE(*lifecycle_.change(StatusChange::to(Status::online, w.id).from({Status::offline})));
  EXPECT_TRUE(*lifecycle_.change(StatusChange::to(Status::online, w.id).from({Status::failed})));
}

TEST(EventTypes, EachStatusHasTheReferencesEventName) {
  EXPECT_EQ(eventTypeOf(Status::online), "WORKSPACE_ONLINE");
  EXPECT_EQ(eventTypeOf(Status::failed), "WORKSPACE_PROVISION_FAILED");
  EXPECT_EQ(eventTypeOf(Status::awaiting_agent), "WORKSPACE_AWAITING_AGENT");
  EXPECT_EQ(eventTypeOf(Status::hibernating), "WORKSPACE_HIBERNATING");
  EXPECT_EQ(eventTypeOf(Status::removed), "WORKSPACE_REMOVED");
}

TEST_F(LifecycleTest, SourcesOfMatchesTheStateMachine) {
  const auto sources = Lifecycle::sourcesOf(Status::offline);
  EXPECT_EQ(sources, (std::set<Status>{Status::online, Status::degraded}));
  EXPECT_FALSE(Lifecycle::sourcesOf(Status::online).count(Status::removed));
}

}  // namespace
}  // namespace ws::test
