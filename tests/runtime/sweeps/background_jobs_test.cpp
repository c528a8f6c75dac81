// The sweeper's background jobs: idle hibernation (through the service's hibernate path and the
// backend's stop) and the activity retention cleanup.

#include <gtest/gtest.h>

#include <algorithm>

#include "sweep_fixture.h"

namespace ws::test {
namespace {

using namespace std::chrono_literals;

class HibernationSweepTest : public SweepFixture {
 protected:
  HibernationSweepTest() : SweepFixture(true, 3600) {}

  /// An online workspace with a workload, idle hibernation after `minutes`, last changed `ago`.
  Workspace add(const std::string& name, std::optional<int> minutes, std::chrono::minutes ago,
                Status status = Status::online, bool external = false) {
    auto w = makeWorkspace(name, status);
    w.hibernation_idle_minutes = minutes;
    w.external = external;
    w.updated_at = formatTime(Clock::now() - ago);
    EXPECT_TRUE(store_->insertWorkspace(w, createdEvent(w)));
    backend_->workloads.insert(w.id);
    return w;
  }
  void activity(const Workspace& w, std::chrono::minutes ago) {
    ActivityRecord a;
    a.workspace_id = w.id;
    a.activity_type = "a2a_receive";
    a.created_at = formatTime(Clock::now() - ago);
    ASSERT_TRUE(store_->insertActivity(a));
  }
  Status status(const Workspace& w) { return (*store_->findWorkspace(w.id))->status; }
};

TEST_F(HibernationSweepTest, AnIdleWorkspaceIsHibernatedThroughItsBackend) {
  const auto idle = add("idle", 5, 10min);
  activity(idle, 8min);
  sweeper_.runOnce();
  EXPECT_EQ(status(idle), Status::hibernated);
  EXPECT_TRUE(backend_->stopped.count(idle.id)) << "hibernateWorkspaceAuto stopped the workload";
  EXPECT_FALSE(backend_->volumes_removed.count(idle.id)) << "hibernation keeps the storage";
  bool announced = false;
  for (const auto& e : *store_->listEvents(idle.id, 10)) announced |= e.event_type == "WORKSPACE_HIBERNATED";
  EXPECT_TRUE(announced);
  // The row's URL is cleared: the next message wakes it.
  EXPECT_EQ((*store_->findWorkspace(idle.id))->url, "");
}

TEST_F(HibernationSweepTest, WorkWithinTheWindowKeepsItAwake) {
  const auto recent_message = add("recent message", 5, 10min);
  activity(recent_message, 2min);
  const auto busy = add("busy", 5, 10min);
  ASSERT_TRUE(store_->recordHeartbeat({busy.id, 0, "", 2, 60, "working", std::nullopt}));
  const auto just_worked = add("just worked", 5, 10min);
  ASSERT_TRUE(store_->recordHeartbeat({just_worked.id, 0, "", 1, 60, "working", std::nullopt}));
  ASSERT_TRUE(store_->recordHeartbeat({just_worked.id, 0, "", 0, 90, "", std::nullopt}));
  const auto recently_changed = add("recently online", 5, 1min);
  sweeper_.runOnce();
  for (const auto& w : {recent_message, busy, just_worked, recently_changed}) {
    EXPECT_EQ(status(w), Status::online) << w.name;
    EXPECT_FALSE(backend_->stopped.count(w.id)) << w.name;
  }
  EXPECT_TRUE((*store_->findWorkspace(just_worked.id))->last_active_at) << "the heartbeat that reported work is kept";
}

TEST_F(HibernationSweepTest, OnlyServingManagedWorkspacesThatAskForIt) {
  const auto never = add("no setting", std::nullopt, 600min);
  const auto off = add("zero", 0, 600min);
  const auto external = add("external", 5, 600min, Status::online, true);
  const auto paused = add("paused", 5, 600min, Status::paused);
  const auto offline = add("offline", 5, 600min, Status::offline);
  const auto degraded = add("degraded", 5, 600min, Status::degraded);
  sweeper_.runOnce();
  EXPECT_EQ(status(never), Status::online);
  EXPECT_EQ(status(off), Status::online);
  EXPECT_EQ(status(external), Status::online);
  EXPECT_EQ(status(paused), Status::paused);
  EXPECT_EQ(status(offline), Status::offline);
  EXPECT_EQ(status(degraded), Status::hibernated) << "degraded is serving, as in the reference";
  EXPECT_EQ(backend_->stopped, (std::set<std::string>{degraded.id}));
}

TEST_F(HibernationSweepTest, AFailedStopLeavesItOnline) {
  const auto w = add("stubborn", 5, 10min);
  backend_->fail_stop = true;
  sweeper_.runOnce();
  EXPECT_EQ(status(w), Status::online) << "not hibernated while its workload runs";
}

class RetentionTest : public SweepFixture {
 protected:
  RetentionTest() : SweepFixture(false, 3600) {}
  void activity(const Workspace& w, std::chrono::hours ago) {
    ActivityRecord a;
    a.workspace_id = w.id;
    a.activity_type = "agent_log";
    a.summary = std::to_string(ago.count()) + "h";
    a.created_at = formatTime(Clock::now() - ago);
    ASSERT_TRUE(store_->insertActivity(a));
  }
  std::vector<std::string> left(const Workspace& w) {
    ActivityFilter f;
    f.workspace_id = w.id;
    std::vector<std::string> out;
    for (const auto& a : *store_->listActivity(f)) out.push_back(a.summary);
    std::sort(out.begin(), out.end());
    return out;
  }
};

TEST_F(RetentionTest, RowsOlderThanTheRetentionGo) {
  const auto w = makeWorkspace("w", Status::online);
  ASSERT_TRUE(store_->insertWorkspace(w, createdEvent(w)));
  activity(w, 1h);
  activity(w, 24h * 6);
  activity(w, 24h * 8);
  activity(w, 24h * 30);
  EXPECT_EQ(config_.activity_retention_days, 7) << "the reference's default";
  sweeper_.runOnce();
  EXPECT_EQ(left(w), (std::vector<std::string>{"144h", "1h"}));
}

TEST_F(RetentionTest, ZeroDaysKeepsEverything) {
  const auto w = makeWorkspace("w", Status::online);
  ASSERT_TRUE(store_->insertWorkspace(w, createdEvent(w)));
  activity(w, 24h * 400);
  config_.activity_retention_days = 0;
  sweeper_.runOnce();
  EXPECT_EQ(left(w), (std::vector<std::string>{"9600h"}));
}

TEST_F(RetentionTest, TheCleanupRunsOnItsOwnInterval) {
  const auto w = makeWorkspace("w", Status::online);
  ASSERT_TRUE(store_->insertWorkspace(w, createdEvent(w)));
  sweeper_.runOnce(false);  // the first pass runs every job
  activity(w, 24h * 8);
  sweeper_.runOnce(false);  // six hours have not passed
  EXPECT_EQ(left(w).size(), 1u);
  sweeper_.runOnce(true);
  EXPECT_TRUE(left(w).empty());
}

}  // namespace
}  // namespace ws::test
