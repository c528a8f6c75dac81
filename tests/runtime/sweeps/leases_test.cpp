// With replicas each background job runs where its lease is held (ws/replicas.h): a sweeper
// whose leases are refused does no work at all, and one holding some leases runs only those.

#include <gtest/gtest.h>

#include <mutex>
#include <set>
#include <string>

#include "sweep_fixture.h"

namespace ws::test {
namespace {

using namespace std::chrono_literals;

// Grants only the jobs it is told, and remembers which were asked for.
class FakeLeases final : public Leases {
 public:
  explicit FakeLeases(std::set<std::string> granted = {}) : granted_(std::move(granted)) {}
  bool holds(std::string_view job) override {
    std::lock_guard lock(mutex_);
    asked.insert(std::string(job));
    return granted_.contains(std::string(job));
  }
  std::set<std::string> asked;

 private:
  std::set<std::string> granted_;
  std::mutex mutex_;
};

const std::set<std::string> kJobs{"liveness-sweep", "provision-timeout-sweep", "scheduler", "health-sweep",
                                  "orphan-sweep",   "hibernation-monitor",     "activity-retention",
                                  "stalled-work"};

// Before the fixture, which the leases are handed to.
struct HoldsLeases {
  std::shared_ptr<FakeLeases> leases_;
};

class LeasesTest : protected HoldsLeases, public SweepFixture {
 protected:
  explicit LeasesTest(std::set<std::string> granted = {})
      : HoldsLeases{std::make_shared<FakeLeases>(std::move(granted))},
        SweepFixture(true, 0, ReplicaLinks{leases_, nullptr}) {
    config_.provision_timeout = 60s;
    config_.activity_retention_days = 1;
  }

  Workspace add(const std::string& name, Status status, const std::string& updated_at = nowTime()) {
    auto w = makeWorkspace(name, status);
    w.updated_at = updated_at;
    EXPECT_TRUE(store_->insertWorkspace(w, createdEvent(w)));
    return w;
  }
  // Work for the jobs: one silent online workspace (liveness; its workload is gone, for the
  // health sweep), one stuck provisioning, an orphan workload, a due schedule, an activity
  // row past retention, and an A2A delivery and a delegation a stopped server left in flight
  // hours ago (stalled work), each beside a recent one that a live replica may still be sending.
  void seed() {
    idle_ = add("idle", Status::offline);
    for (const auto age : {std::chrono::hours(2), std::chrono::hours(0)}) {
      A2aQueueItem q;
      q.id = newUuid();
      q.workspace_id = idle_.id;
      q.body = "{}";
      q.enqueued_at = formatTime(Clock::now() - age);
      ASSERT_TRUE(store_->enqueueA2a(q, q.enqueued_at));
      ASSERT_TRUE(*store_->claimNextA2a(idle_.id, q.enqueued_at));
      (age.count() ? stalled_item_ : recent_item_) = q.id;
      ActivityRecord d;
      d.workspace_id = idle_.id;
      d.activity_type = "delegation";
      d.method = "delegate";
      d.status = "pending";
      d.request_body = std::string(R"({"delegation_id":")") + (age.count() ? "old" : "new") + "\"}";
      d.created_at = formatTime(Clock::now() - 2 * age);
      ASSERT_TRUE(store_->insertActivity(d));
    }
    silent_ = add("silent", Status::online);
    stuck_ = add("stuck", Status::provisioning, formatTime(Clock::now() - 5min));
    backend_->workloads.insert("orphan-workload");
    ScheduleRecord s;
    s.id = newUuid();
    s.workspace_id = silent_.id;
    s.name = "nightly";
    s.cron_expr = "0 0 1 1 *";
    s.prompt = "hello";
    s.next_run_at = formatTime(Clock::now() - 1min);
    s.created_at = s.updated_at = nowTime();
    ASSERT_TRUE(store_->putSchedule(s));
    schedule_ = s;
    ActivityRecord a;
    a.workspace_id = silent_.id;
    a.activity_type = "a2a_receive";
    a.status = "ok";
    a.created_at = formatTime(Clock::now() - std::chrono::hours(24 * 3));
    ASSERT_TRUE(store_->insertActivity(a));
  }
  Status statusOf(const Workspace& w) { return (*store_->findWorkspace(w.id))->status; }
  std::int64_t runsOf(const ScheduleRecord& s) {
    for (const auto& r : *store_->listSchedules(s.workspace_id))
      if (r.id == s.id) return r.run_count;
    return -1;
  }
  std::size_t activityRows() {
    ActivityFilter f;
    f.workspace_id = silent_.id;
    return store_->listActivity(f)->size();
  }

  std::string a2aStatus(const std::string& id) { return (*store_->findA2aQueueItem(id))->status; }
  std::string delegationStatus(const std::string& id) { return (*store_->findDelegation(idle_.id, id))->status; }

  Workspace silent_, stuck_, idle_;
  std::string stalled_item_, recent_item_;
  ScheduleRecord schedule_;
};

TEST_F(LeasesTest, WithoutItsLeasesNoJobRunsButEveryLoopTicks) {
  seed();
  const auto before = Clock::now();
  sweeper_.runOnce();
  workspaces_.drain();
  EXPECT_EQ(leases_->asked, kJobs) << "every job asks for its lease";
  EXPECT_EQ(statusOf(silent_), Status::online) << "no liveness sweep, no health sweep";
  EXPECT_EQ(statusOf(stuck_), Status::provisioning) << "no provision timeout";
  EXPECT_TRUE(backend_->stopped.empty()) << "no orphan sweep";
  EXPECT_TRUE(backend_->started.empty()) << "no restart";
  EXPECT_EQ(runsOf(schedule_), 0) << "no schedule fired";
  EXPECT_EQ(activityRows(), 1u) << "no retention cleanup";
  EXPECT_EQ(a2aStatus(stalled_item_), "dispatched") << "no stalled-work sweep";
  EXPECT_EQ(delegationStatus("old"), "pending");
  const auto ticks = wiring_.ticks.snapshot();
  for (const auto& job : kJobs) EXPECT_GE(ticks.at(job), before) << job << ": the loop is alive on this replica";
}

class OneLeaseTest : public LeasesTest {
 protected:
  OneLeaseTest() : LeasesTest({"provision-timeout-sweep", "orphan-sweep"}) {}
};

TEST_F(OneLeaseTest, OnlyTheJobsWhoseLeasesAreHeldRun) {
  seed();
  sweeper_.runOnce();
  workspaces_.drain();
  EXPECT_EQ(statusOf(stuck_), Status::failed);
  EXPECT_EQ(backend_->stopped, std::set<std::string>{"orphan-workload"});
  EXPECT_EQ(statusOf(silent_), Status::online);
  EXPECT_EQ(runsOf(schedule_), 0);
  EXPECT_EQ(activityRows(), 1u);
}

// The same seed with every lease held: each job had work, so the refusals above mean something.
class AllLeasesTest : public LeasesTest {
 protected:
  AllLeasesTest() : LeasesTest(kJobs) {}
};

TEST_F(AllLeasesTest, WithEveryLeaseEveryJobRuns) {
  seed();
  sweeper_.runOnce();
  workspaces_.drain();
  EXPECT_EQ(statusOf(stuck_), Status::failed);
  EXPECT_TRUE(backend_->stopped.contains("orphan-workload"));
  EXPECT_NE(statusOf(silent_), Status::online) << "silent past a zero TTL: offline, then restarted";
  EXPECT_EQ(runsOf(schedule_), 1);
  EXPECT_EQ(activityRows(), 0u);
  EXPECT_EQ(a2aStatus(stalled_item_), "queued") << "stalled past twice its timeout: queued again";
  EXPECT_EQ(a2aStatus(recent_item_), "dispatched") << "may be a live replica's delivery";
  EXPECT_EQ(delegationStatus("old"), "failed");
  EXPECT_EQ(delegationStatus("new"), "pending") << "may be a live replica's send";
}

TEST(LocalLeases, GrantEverything) {
  LocalLeases leases;
  for (const auto& job : kJobs) EXPECT_TRUE(leases.holds(job));
}

}  // namespace
}  // namespace ws::test
