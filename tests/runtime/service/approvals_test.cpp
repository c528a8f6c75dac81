// Approvals: a request, its escalation to the parent, one decision, expiry after ten minutes,
// and the operators' view of what is pending.

#include "service/approvals.h"

#include <gtest/gtest.h>

#include "core/util.h"
#include "support/test_store.h"

namespace ws::test {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

class ApprovalsTest : public ::testing::Test {
 protected:
  Workspace add(const std::string& name, std::optional<std::string> parent = std::nullopt) {
    auto w = makeWorkspace(name, Status::online, std::move(parent));
    EXPECT_TRUE(store_->insertWorkspace(w, createdEvent(w)));
    return w;
  }

  TempStore store_;
  EventBus events_{*store_};
  Approvals approvals_{*store_, events_};
  std::vector<Event> seen_;
  EventBus::Subscription sub_ = events_.subscribe([this](const Event& e) { seen_.push_back(e); });
  Workspace lead_ = add("lead");
  Workspace child_ = add("child", lead_.id);
};

TEST_F(ApprovalsTest, ARequestIsPendingAndEscalatedToTheParent) {
  auto made = approvals_.request(child_, {"task-1", "delete the bucket", "cleanup", R"({"bucket":"logs"})"});
  ASSERT_TRUE(made) << made.error().message;
  EXPECT_EQ(made->status, "pending");
  const auto listed = *approvals_.list(child_.id);
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].action, "delete the bucket");
  EXPECT_EQ(listed[0].context, R"({"bucket":"logs"})");
  EXPECT_FALSE(listed[0].decided_by);

  ASSERT_EQ(seen_.size(), 2u);
  EXPECT_EQ(seen_[0].event_type, "APPROVAL_REQUESTED");
  EXPECT_EQ(seen_[0].workspace_id, child_.id);
  EXPECT_EQ(json::parse(seen_[0].payload),
            (json{{"approval_id", made->id}, {"action", "delete the bucket"}, {"reason", "cleanup"}, {"task_id", "task-1"}}));
  EXPECT_EQ(seen_[1].event_type, "APPROVAL_ESCALATED");
  EXPECT_EQ(seen_[1].workspace_id, lead_.id);
  EXPECT_EQ(json::parse(seen_[1].payload)["from_workspace_id"], child_.id);

  ASSERT_TRUE(approvals_.request(lead_, {"", "deploy", "", "{}"}));
  EXPECT_EQ(seen_.size(), 3u) << "a root has no parent to escalate to";

  const auto pending = *approvals_.pending();
  ASSERT_EQ(pending.size(), 2u);
  EXPECT_EQ(pending[0].workspace_name, "lead") << "newest first";
  EXPECT_EQ(pending[1].workspace_name, "child");
}

TEST_F(ApprovalsTest, BadRequestsAreRefused) {
  EXPECT_EQ(approvals_.request(lead_, {"", "", "", "{}"}).error().message, "action is required");
  EXPECT_EQ(approvals_.request(lead_, {"", std::string(4097, 'a'), "", "{}"}).error().code, Errc::too_large);
  EXPECT_EQ(approvals_.request(lead_, {"", "a", "", "{\"x\":\"" + std::string(70000, 'x') + "\"}"}).error().code, Errc::too_large);
  EXPECT_TRUE(approvals_.list(lead_.id)->empty());
  EXPECT_TRUE(seen_.empty());
}

TEST_F(ApprovalsTest, DecidedOnceByItsWorkspace) {
  const auto a = *approvals_.request(lead_, {"", "deploy", "", "{}"});
  seen_.clear();
  EXPECT_EQ(approvals_.decide(lead_.id, a.id, "maybe", "").error().message, "decision must be 'approved' or 'denied'");
  EXPECT_EQ(approvals_.decide(child_.id, a.id, "approved", "").error().code, Errc::not_found) << "another workspace's";
  ASSERT_TRUE(approvals_.decide(lead_.id, a.id, "approved", ""));
  EXPECT_EQ(approvals_.decide(lead_.id, a.id, "denied", "").error().message, "approval not found or already decided");
  const auto decided = approvals_.list(lead_.id)->at(0);
  EXPECT_EQ(decided.status, "approved");
  EXPECT_EQ(decided.decided_by, "human");
  EXPECT_TRUE(decided.decided_at);
  ASSERT_EQ(seen_.size(), 1u);
  EXPECT_EQ(seen_[0].event_type, "APPROVAL_APPROVED");
  EXPECT_EQ(json::parse(seen_[0].payload), (json{{"approval_id", a.id}, {"decision", "approved"}, {"decided_by", "human"}}));

  const auto b = *approvals_.request(lead_, {"", "rollback", "", "{}"});
  ASSERT_TRUE(approvals_.decide(lead_.id, b.id, "denied", "lead-agent"));
  EXPECT_EQ(seen_.back().event_type, "APPROVAL_DENIED");
  EXPECT_EQ(approvals_.list(lead_.id)->at(0).decided_by, "lead-agent");
  EXPECT_TRUE(approvals_.pending()->empty());
}

TEST_F(ApprovalsTest, TenMinutesPendingIsADenial) {
  ApprovalRecord old;
  old.id = newUuid();
  old.workspace_id = lead_.id;
  old.action = "stale";
  old.created_at = formatTime(Clock::now() - 11min);
  ASSERT_TRUE(store_->insertApproval(old));
  const auto fresh = *approvals_.request(lead_, {"", "fresh", "", "{}"});
  const auto pending = *approvals_.pending();
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(pending[0].id, fresh.id);
  const auto expired = approvals_.list(lead_.id)->at(1);
  EXPECT_EQ(expired.status, "denied");
  EXPECT_EQ(expired.decided_by, "auto-expired");
  EXPECT_EQ(approvals_.decide(lead_.id, old.id, "approved", "").error().code, Errc::not_found) << "too late";
}

TEST_F(ApprovalsTest, RemovedWorkspacesHaveNothingPending) {
  ASSERT_TRUE(approvals_.request(child_, {"", "deploy", "", "{}"}));
  Event removed{0, "WORKSPACE_REMOVED", child_.id, "{}", nowTime()};
  ASSERT_TRUE(store_->markRemoved({child_.id}, {removed}));
  EXPECT_TRUE(approvals_.pending()->empty());
}

}  // namespace
}  // namespace ws::test
