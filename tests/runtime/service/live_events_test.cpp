#include "service/live_events.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/test_store.h"

namespace ws {
namespace {

using nlohmann::json;
using test::createdEvent;
using test::makeWorkspace;
using test::TempStore;

class LiveEventsTest : public ::testing::Test {
 protected:
  TempStore store_;
  EventBus bus_{*store_};
  LiveEvents live_{bus_, *store_, 4};

  std::string add(const std::string& name, std::optional<std::string> parent = std::nullopt) {
    auto w = makeWorkspace(name, Status::online);
    w.parent_id = std::move(parent);
    EXPECT_TRUE(store_->insertWorkspace(w, createdEvent(w)));
    return w.id;
  }
  static std::vector<json> drain(Feed& feed) {
    std::deque<std::string> batch;
    feed.take(batch, nullptr);
    std::vector<json> out;
    for (const auto& m : batch) out.push_back(json::parse(m));
    return out;
  }
  std::shared_ptr<Feed> open(const LiveScope& scope, LiveWire wire = LiveWire::message) {
    auto feed = live_.open(scope, wire);
    EXPECT_TRUE(feed);
    return *feed;
  }
};

TEST_F(LiveEventsTest, EveryScopeGetsItsShare) {
  const std::string a = add("a"), b = add("b");
  auto all = open(LiveScope::everything());
  auto only_a = open(LiveScope::workspace(a), LiveWire::envelope);
  bus_.broadcast("TASK_UPDATED", a, {{"current_task", "x"}});
  bus_.broadcast("TASK_UPDATED", b, {{"current_task", "y"}});
  bus_.broadcast("ORG_IMPORTED", std::nullopt, {{"org", "o"}});
  auto everything = drain(*all);
  ASSERT_EQ(everything.size(), 3u);
  EXPECT_EQ(everything[0]["event"], "TASK_UPDATED");
  EXPECT_EQ(everything[0]["workspace_id"], a);
  EXPECT_EQ(everything[0]["payload"]["current_task"], "x");
  EXPECT_EQ(everything[2]["workspace_id"], "");
  auto mine = drain(*only_a);
  ASSERT_EQ(mine.size(), 1u);
  EXPECT_EQ(mine[0]["type"], "TASK_UPDATED");
  EXPECT_EQ(mine[0]["data"]["current_task"], "x");
  EXPECT_GT(mine[0]["timestamp"].get<std::int64_t>(), 1700000000000);
}

TEST_F(LiveEventsTest, PeersFollowTheCommunicationRule) {
  const std::string root = add("root"), other_root = add("other-root");
  const std::string child = add("child", root), grandchild = add("grandchild", child);
  const std::string sibling = add("sibling", root), cousin = add("cousin", other_root);
  auto feed = open(LiveScope::peersOf(child));
  for (const auto& id : {root, other_root, child, grandchild, sibling, cousin}) bus_.broadcast("TASK_UPDATED", id);
  std::vector<std::string> seen;
  for (const auto& m : drain(*feed)) seen.push_back(m["workspace_id"]);
  // Its own, its parent, its child, its sibling; not another root nor that root's child.
  EXPECT_EQ(seen, (std::vector<std::string>{root, child, grandchild, sibling}));
  auto from_root = open(LiveScope::peersOf(root));
  bus_.broadcast("TASK_UPDATED", grandchild);
  bus_.broadcast("TASK_UPDATED", other_root);
  EXPECT_EQ(drain(*from_root).size(), 2u) << "an ancestor sees its descendants; roots see each other";
  EXPECT_FALSE(live_.open(LiveScope::peersOf(newUuid()), LiveWire::message)) << "an unknown workspace";
}

TEST_F(LiveEventsTest, ASlowClientIsDroppedAndTheOthersGoOn) {
  const std::string a = add("a");
  auto slow = open(LiveScope::everything());
  auto quick = open(LiveScope::everything());
  std::size_t quick_got = 0;
  for (int i = 0; i < 10; ++i) {
    bus_.broadcast("TASK_UPDATED", a, {{"n", i}});
    quick_got += drain(*quick).size();
  }
  EXPECT_EQ(quick_got, 10u);
  EXPECT_TRUE(slow->overflowed()) << "4 queued is the limit";
  EXPECT_EQ(live_.clients(), 1u);
}

TEST_F(LiveEventsTest, AClientFollowsItsWorkspace) {
  const std::string a = add("a"), b = add("b"), c = add("c", b);
  auto feed = open(LiveScope::peersOf(a));
  auto own = open(LiveScope::workspace(a), LiveWire::envelope);
  bus_.broadcast("TASK_UPDATED", c);
  EXPECT_TRUE(drain(*feed).empty()) << "c sits under another root";
  WorkspaceUpdate move;
  move.parent_id = std::optional<std::string>(b);
  ASSERT_TRUE(store_->updateWorkspace(a, move));
  bus_.broadcast("WORKSPACE_UPDATED", a, {{"parent_id", b}});
  bus_.broadcast("TASK_UPDATED", c);
  EXPECT_EQ(drain(*feed).size(), 2u) << "moved under b, a now sees its sibling c";
  bus_.broadcast("WORKSPACE_REMOVED", a);
  EXPECT_EQ(drain(*own).size(), 2u) << "the removal is the stream's last event";
  EXPECT_TRUE(own->closed());
  EXPECT_TRUE(feed->closed());
  EXPECT_EQ(live_.clients(), 0u);
}

TEST_F(LiveEventsTest, ALeavingClientIsForgotten) {
  auto feed = open(LiveScope::everything());
  EXPECT_EQ(live_.clients(), 1u);
  feed->detach();
  EXPECT_EQ(live_.clients(), 0u);
}

}  // namespace
}  // namespace ws
