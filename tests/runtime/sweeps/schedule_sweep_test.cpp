// The scheduler sweep (ScheduleRunner::runDue, run by Sweeper::runOnce): a due schedule is claimed and
// its prompt sent through the A2A path to an agent on 127.0.0.1, and every run is recorded
// (docs/api.md "Schedules").

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <atomic>

#include "core/cron.h"
#include "sweep_fixture.h"
#include "support/fake_agent.h"
#include "support/loopback.h"

namespace ws::test {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

// A yearly schedule: a run claimed during a test is never due again before it ends.
constexpr const char* kYearly = "0 0 1 1 *";

class ScheduleSweepTest : public SweepFixture {
 protected:
  ScheduleSweepTest() : SweepFixture(true, 3600) {}

  // A workspace whose agent is `url`, with a live workload (so the health sweep leaves it be).
  Workspace addWorkspace(Status status, const std::string& url) {
    auto w = makeWorkspace("w-" + newUuid().substr(0, 8), status);
    w.url = url;
    EXPECT_TRUE(store_->insertWorkspace(w, createdEvent(w)));
    if (status != Status::removed) backend_->workloads.insert(w.id);
    return w;
  }
  Workspace addWorkspace(Status status = Status::online) { return addWorkspace(status, agent_.url()); }

  // A schedule of `w` that fell due a minute ago (or falls due in an hour).
  ScheduleRecord addSchedule(const Workspace& w, bool due = true, bool enabled = true) {
    ScheduleRecord s;
    s.id = newUuid();
    s.workspace_id = w.id;
    s.name = "nightly-" + s.id.substr(0, 8);
    s.cron_expr = kYearly;
    s.prompt = "summarise the day";
    s.enabled = enabled;
    s.next_run_at = formatTime(Clock::now() + (due ? -1min : 1h));
    s.created_at = s.updated_at = nowTime();
    EXPECT_TRUE(store_->putSchedule(s));
    return s;
  }

  ScheduleRecord reload(const ScheduleRecord& s) {
    for (const auto& r : *store_->listSchedules(s.workspace_id))
      if (r.id == s.id) return r;
    ADD_FAILURE() << "schedule " << s.id << " is gone";
    return {};
  }

  // Makes the claimed run of `s` due again, as if its next time had come.
  void fallDue(const ScheduleRecord& s) {
    auto r = reload(s);
    r.next_run_at = formatTime(Clock::now() - 1s);
    ASSERT_TRUE(store_->putSchedule(r));
  }

  // One sweeper pass, and the runs it started.
  void sweep() {
    sweeper_.runOnce();
    workspaces_.drain();
  }

  std::vector<ActivityRecord> cronRuns(const std::string& workspace_id) {
    ActivityFilter f;
    f.workspace_id = workspace_id;
    f.type = "cron_run";
    return *store_->listActivity(f);
  }

  static std::string expectedNextRun() { return formatTime(CronSchedule::parse(kYearly)->next(Clock::now())); }

  FakeAgent agent_;
};

TEST_F(ScheduleSweepTest, ADueScheduleSendsItsPromptAndRecordsTheRun) {
  const auto w = addWorkspace();
  const auto s = addSchedule(w);
  const std::string before = nowTime();
  sweep();
  const std::string after = nowTime();

  const auto sent = agent_.received();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0]["jsonrpc"], "2.0");
  EXPECT_EQ(sent[0]["method"], "message/send");
  EXPECT_EQ(sent[0]["params"]["message"]["role"], "user");
  EXPECT_EQ(sent[0]["params"]["message"]["parts"][0]["text"], "summarise the day");
  EXPECT_FALSE(sent[0]["params"]["message"].contains("metadata")) << "sent as the platform: no caller envelope";

  const auto r = reload(s);
  EXPECT_EQ(r.run_count, 1);
  ASSERT_TRUE(r.last_run_at);
  EXPECT_GE(*r.last_run_at, before);
  EXPECT_LE(*r.last_run_at, after);
  EXPECT_EQ(r.next_run_at, expectedNextRun()) << "the next time after now, from the cron expression";
  EXPECT_EQ(r.last_status, "ok");
  EXPECT_EQ(r.last_error, "");

  const auto runs = cronRuns(w.id);
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].method, "schedule:" + s.id);
  EXPECT_EQ(runs[0].status, "ok");
  EXPECT_EQ(runs[0].error_detail, "");
  ASSERT_TRUE(runs[0].request_body);
  EXPECT_NE(runs[0].request_body->find("summarise the day"), std::string::npos);
}

TEST_F(ScheduleSweepTest, FiresOncePerDueTime) {
  const auto w = addWorkspace();
  const auto s = addSchedule(w);
  sweeper_.runOnce();
  sweeper_.runOnce();  // before the first run has finished: the claim keeps it from firing again
  workspaces_.drain();
  sweep();
  EXPECT_EQ(agent_.received().size(), 1u);
  EXPECT_EQ(reload(s).run_count, 1);

  fallDue(s);
  sweep();
  sweep();
  EXPECT_EQ(agent_.received().size(), 2u) << "due again: fires again, once";
  EXPECT_EQ(reload(s).run_count, 2);
  EXPECT_EQ(cronRuns(w.id).size(), 2u);
}

TEST_F(ScheduleSweepTest, AScheduleNotYetDueWaits) {
  const auto w = addWorkspace();
  const auto s = addSchedule(w, false);
  sweep();
  EXPECT_TRUE(agent_.received().empty());
  const auto r = reload(s);
  EXPECT_EQ(r.run_count, 0);
  EXPECT_FALSE(r.last_run_at);
  EXPECT_EQ(r.next_run_at, s.next_run_at);
}

// A disabled schedule keeps whatever next_run_at it had; being past must not fire it.
TEST_F(ScheduleSweepTest, ADisabledScheduleDoesNotFire) {
  const auto w = addWorkspace();
  const auto s = addSchedule(w, true, false);
  sweep();
  EXPECT_TRUE(agent_.received().empty());
  const auto r = reload(s);
  EXPECT_EQ(r.run_count, 0);
  EXPECT_FALSE(r.last_run_at);
  EXPECT_TRUE(cronRuns(w.id).empty());
}

// docs/api.md: a run that falls due while its workspace is not online is skipped, not queued.
TEST_F(ScheduleSweepTest, ARunDueWhileTheWorkspaceIsOfflineIsSkippedNotQueued) {
  const auto w = addWorkspace(Status::offline);
  const auto s = addSchedule(w);
  sweep();
  EXPECT_TRUE(agent_.received().empty());
  EXPECT_TRUE(cronRuns(w.id).empty());
  const auto r = reload(s);
  EXPECT_EQ(r.next_run_at, expectedNextRun()) << "the missed run is consumed";

  ASSERT_TRUE(*store_->transition(Transition{w.id, Status::online, {Status::offline}, "WORKSPACE_ONLINE"}));
  sweep();
  EXPECT_TRUE(agent_.received().empty()) << "coming back online does not replay the missed run";
}

TEST_F(ScheduleSweepTest, SchedulesOfOtherNonServingWorkspacesAreSkipped) {
  for (Status status : {Status::provisioning, Status::paused, Status::hibernated, Status::failed}) {
    const auto w = addWorkspace(status);
    addSchedule(w);
  }
  sweep();
  EXPECT_TRUE(agent_.received().empty());
}

TEST_F(ScheduleSweepTest, ADegradedWorkspaceStillReceivesItsSchedule) {
  const auto w = addWorkspace(Status::degraded);
  addSchedule(w);
  sweep();
  EXPECT_EQ(agent_.received().size(), 1u);
}

// A removed workspace's schedules are out of the sweep altogether: neither fired nor claimed.
TEST_F(ScheduleSweepTest, ARemovedWorkspacesScheduleIsLeftAlone) {
  const auto w = addWorkspace(Status::removed);
  const auto s = addSchedule(w);
  sweep();
  EXPECT_TRUE(agent_.received().empty());
  const auto r = reload(s);
  EXPECT_EQ(r.run_count, 0);
  EXPECT_EQ(r.next_run_at, s.next_run_at);
}

TEST_F(ScheduleSweepTest, AnAgentErrorIsRecorded) {
  agent_.answer(500, {{"error", "model overloaded"}});
  const auto w = addWorkspace();
  const auto s = addSchedule(w);
  sweep();
  ASSERT_EQ(agent_.received().size(), 1u);
  const auto r = reload(s);
  EXPECT_EQ(r.run_count, 1) << "a failed run still counts as run";
  EXPECT_EQ(r.last_status, "error");
  EXPECT_NE(r.last_error.find("model overloaded"), std::string::npos) << r.last_error;
  const auto runs = cronRuns(w.id);
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].status, "error");
  EXPECT_NE(runs[0].error_detail.find("model overloaded"), std::string::npos) << runs[0].error_detail;

  agent_.answer(200, {{"jsonrpc", "2.0"}, {"id", "1"}, {"result", json::object()}});
  fallDue(s);
  sweep();
  EXPECT_EQ(reload(s).last_status, "ok");
  EXPECT_EQ(reload(s).last_error, "") << "a good run clears the last error";
}

TEST_F(ScheduleSweepTest, AnUnreachableAgentIsRecorded) {
  const auto w = addWorkspace(Status::online, refusedUrl());
  const auto s = addSchedule(w);
  sweep();
  const auto r = reload(s);
  EXPECT_EQ(r.run_count, 1);
  EXPECT_EQ(r.last_status, "error");
  EXPECT_NE(r.last_error.find("failed to reach workspace agent"), std::string::npos) << r.last_error;
  ASSERT_EQ(cronRuns(w.id).size(), 1u);
  EXPECT_EQ(cronRuns(w.id)[0].status, "error");
  EXPECT_EQ((*store_->findWorkspace(w.id))->status, Status::online) << "the backend says the workload runs";
}

TEST_F(ScheduleSweepTest, AWorkspaceWithoutAnAddressIsRecorded) {
  const auto w = addWorkspace(Status::online, "");
  const auto s = addSchedule(w);
  sweep();
  const auto r = reload(s);
  EXPECT_EQ(r.last_status, "error");
  EXPECT_NE(r.last_error.find("no URL"), std::string::npos) << r.last_error;
  ASSERT_EQ(cronRuns(w.id).size(), 1u);
  EXPECT_EQ(cronRuns(w.id)[0].status, "error");
}

// The outcome is written over the row as it is when the run ends, not as it was claimed.
TEST_F(ScheduleSweepTest, AnEditWhileARunIsInFlightIsKept) {
  const auto w = addWorkspace();
  const auto s = addSchedule(w);
  agent_.hold();
  sweeper_.runOnce();  // claimed; the run waits for the agent
  auto edited = reload(s);
  edited.prompt = "a new prompt";
  edited.enabled = false;
  edited.next_run_at.reset();
  ASSERT_TRUE(store_->putSchedule(edited));
  agent_.release();
  workspaces_.drain();

  const auto r = reload(s);
  EXPECT_EQ(r.prompt, "a new prompt");
  EXPECT_FALSE(r.enabled);
  EXPECT_FALSE(r.next_run_at);
  EXPECT_EQ(r.run_count, 1);
  EXPECT_EQ(r.last_status, "ok") << "and the outcome is recorded";
}

TEST_F(ScheduleSweepTest, ADeletedScheduleStaysDeletedAfterItsRun) {
  const auto w = addWorkspace();
  const auto s = addSchedule(w);
  agent_.hold();
  sweeper_.runOnce();
  ASSERT_TRUE(*store_->deleteSchedule(w.id, s.id));
  agent_.release();
  workspaces_.drain();
  EXPECT_TRUE(store_->listSchedules(w.id)->empty()) << "the run's outcome must not resurrect it";
  EXPECT_EQ(cronRuns(w.id).size(), 1u) << "the run itself is still logged";
}

}  // namespace
}  // namespace ws::test
