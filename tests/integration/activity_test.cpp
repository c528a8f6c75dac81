// The activity log over HTTP: filters, limits, paging and spoofing.

#include <gtest/gtest.h>

#include <thread>

#include "support/server_process.h"

namespace ws::test {
namespace {

using nlohmann::json;

const std::string kAdmin = "activity-admin-token";

class Activity : public ::testing::Test {
 protected:
  ServerProcess server_{{}, {{"ADMIN_TOKEN", kAdmin}}};
  HttpClient c_ = server_.client(kAdmin);
  std::string id_ = c_.post("/workspaces", {{"name", "logger"}}).json()["id"];
  std::string peer_ = c_.post("/workspaces", {{"name", "peer"}}).json()["id"];

  json list(const std::string& query) {
    auto r = c_.get("/workspaces/" + id_ + "/activity" + query);
    EXPECT_EQ(r.status, 200) << query << ": " << r.body;
    return r.json();
  }
  void log(json body) {
    // Distinct millisecond timestamps, so that before_ts paging has a boundary to cut at.
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    auto r = c_.post("/workspaces/" + id_ + "/activity", body);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.json()["status"], "logged");
  }
};

TEST_F(Activity, FiltersLimitsAndPaging) {
  log({{"activity_type", "agent_log"}, {"summary", "canvas note"}});
  log({{"activity_type", "a2a_send"}, {"source_id", id_}, {"target_id", peer_}, {"summary", "to peer"},
       {"request_body", {{"q", 1}}}, {"duration_ms", 12}});
  log({{"activity_type", "a2a_receive"}, {"source_id", id_}, {"summary", "reply"}});
  for (int i = 0; i < 5; ++i) log({{"activity_type", "task_update"}, {"summary", "step " + std::to_string(i)}});

  auto all = list("");
  ASSERT_EQ(all.size(), 8u);
  EXPECT_EQ(all[0]["summary"], "step 4");  // newest first
  EXPECT_EQ(list("?type=a2a_send").size(), 1u);
  EXPECT_EQ(list("?type=a2a_send")[0]["request_body"]["q"], 1);
  EXPECT_EQ(list("?source=agent").size(), 2u);
  EXPECT_EQ(list("?source=canvas").size(), 6u);
  EXPECT_EQ(list("?peer_id=" + peer_).size(), 1u);
  EXPECT_EQ(list("?limit=3").size(), 3u);
  EXPECT_EQ(list("?limit=100000").size(), 8u);  // capped, not refused

  // Paging: everything strictly older than the oldest row of the first page.
  auto page = list("?limit=4");
  ASSERT_EQ(page.size(), 4u);
  const std::string oldest = page[3]["created_at"];
  auto rest = list("?before_ts=" + oldest);
  ASSERT_GE(rest.size(), 1u) << rest;  // rows sharing the oldest timestamp are excluded too
  for (const auto& row : rest) EXPECT_LT(row["created_at"].get<std::string>(), oldest);
}

TEST_F(Activity, RejectsBadQueriesAndSpoofing) {
  for (const char* q : {"?limit=0", "?limit=abc", "?limit=-1", "?source=robot", "?type=bogus", "?peer_id=nope",
                        "?before_ts=yesterday"}) {
    EXPECT_EQ(c_.get("/workspaces/" + id_ + "/activity" + q).status, 400) << q;
  }
  auto spoof = c_.post("/workspaces/" + id_ + "/activity", {{"activity_type", "agent_log"}, {"source_id", peer_}});
  EXPECT_EQ(spoof.status, 403);
  EXPECT_EQ(c_.post("/workspaces/" + id_ + "/activity", {{"summary", "no type"}}).status, 400);
  EXPECT_EQ(c_.post("/workspaces/" + id_ + "/activity", {{"activity_type", "made_up"}}).status, 400);
  EXPECT_EQ(c_.post("/workspaces/" + id_ + "/activity", {{"activity_type", "error"}, {"duration_ms", "slow"}}).status, 400);
  EXPECT_TRUE(list("").empty()) << "rejected requests must not write anything";
}

}  // namespace
}  // namespace ws::test
