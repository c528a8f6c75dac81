// Live events: the /ws hub and a workspace's server-sent events, on the real binary.

#include <gtest/gtest.h>

#include "support/server_process.h"

namespace ws::test {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

const std::string kAdmin = "live-admin-token";

class LiveEvents : public ::testing::Test {
 protected:
  ServerProcess server_{{}, {{"ADMIN_TOKEN", kAdmin}}};
  HttpClient admin_ = server_.client(kAdmin);

  std::string create(const std::string& name, const std::string& parent = "") {
    json body{{"name", name}};
    if (!parent.empty()) body["parent_id"] = parent;
    auto r = admin_.post("/workspaces", body);
    EXPECT_EQ(r.status, 201) << r.body;
    return r.json()["id"];
  }
  std::string tokenOf(const std::string& id) {
    return admin_.post("/workspaces/" + id + "/tokens", json::object()).json()["auth_token"];
  }
  // A change that every scope can see: WORKSPACE_UPDATED carrying the new name.
  void rename(const std::string& id, const std::string& name) {
    ASSERT_EQ(admin_.request("PATCH", "/workspaces/" + id, json{{"name", name}}.dump()).status, 200);
  }
  static std::function<bool(const json&)> updatedTo(const std::string& name) {
    return [name](const json& m) {
      const json& payload = m.contains("payload") ? m["payload"] : m["data"];
      return payload.value("name", "") == name;
    };
  }
};

TEST_F(LiveEvents, TheCanvasSeesEveryEventInTheReferenceShape) {
  const std::string a = create("a");
  auto hub = LiveClient::socket(server_.port(), "/ws", {{"Authorization", "Bearer " + kAdmin}});
  rename(a, "a-renamed");
  auto m = hub.waitFor(updatedTo("a-renamed"), 5s);
  ASSERT_TRUE(m) << "no WORKSPACE_UPDATED on /ws";
  EXPECT_EQ((*m)["event"], "WORKSPACE_UPDATED");
  EXPECT_EQ((*m)["workspace_id"], a);
  EXPECT_TRUE((*m)["timestamp"].is_string());
  EXPECT_EQ((*m)["timestamp"].get<std::string>().back(), 'Z') << "RFC 3339, UTC";
  const std::string b = create("b");
  EXPECT_TRUE(hub.waitFor([&](const json& e) { return e["workspace_id"] == b; }, 5s)) << "a new workspace's events too";
}

TEST_F(LiveEvents, TheAdminTokenMayComeAsAQueryParameter) {
  const std::string a = create("a");
  auto hub = LiveClient::socket(server_.port(), "/ws?token=" + kAdmin, {});
  rename(a, "by-query");
  EXPECT_TRUE(hub.waitFor(updatedTo("by-query"), 5s));
}

TEST_F(LiveEvents, TheHubNeedsTheAdminTokenOrAWorkspacesOwn) {
  const std::string a = create("a");
  const std::string b = create("b");
  const std::string token_a = tokenOf(a);
  tokenOf(b);
  const auto refused = [&](const std::map<std::string, std::string>& headers, const std::string& target = "/ws") {
    try {
      LiveClient::socket(server_.port(), target, headers);
      return std::string("opened");
    } catch (const std::runtime_error& e) {
      return std::string(e.what());
    }
  };
  EXPECT_EQ(refused({}), "upgrade refused: 401") << "the canvas stream is the admin's";
  EXPECT_EQ(refused({{"Authorization", "Bearer " + token_a}}), "upgrade refused: 401") << "a workspace token is not admin";
  EXPECT_EQ(refused({}, "/ws?token=wrong"), "upgrade refused: 401");
  EXPECT_EQ(refused({{"X-Workspace-ID", b}, {"Authorization", "Bearer " + token_a}}), "upgrade refused: 401")
      << "another workspace's token";
  EXPECT_EQ(refused({{"X-Workspace-ID", b}}), "upgrade refused: 401") << "b has a live token";
  EXPECT_EQ(refused({{"X-Workspace-ID", "not-a-uuid"}}), "upgrade refused: 400");
  EXPECT_EQ(refused({{"X-Workspace-ID", a}, {"Authorization", "Bearer " + token_a}}), "opened");
  EXPECT_EQ(refused({{"Authorization", "Bearer " + kAdmin}, {"Origin", "http://evil.example"}}), "upgrade refused: 403")
      << "another site's page";
  EXPECT_EQ(admin_.get("/ws").status, 426) << "a plain GET, authenticated, is told to upgrade";
  EXPECT_EQ(server_.client().get("/ws").status, 401);
}

TEST_F(LiveEvents, AnAgentSeesOnlyTheWorkspacesItMayTalkTo) {
  const std::string lead = create("lead");
  const std::string peer = create("peer");             // another root: roots may talk
  const std::string child = create("child", peer);     // below the other root: not lead's business
  const std::string mine = create("mine", lead);       // lead's child
  auto agent = LiveClient::socket(server_.port(), "/ws", {{"X-Workspace-ID", lead}, {"Authorization", "Bearer " + tokenOf(lead)}});
  rename(child, "child-2");
  rename(peer, "peer-2");
  rename(mine, "mine-2");
  rename(lead, "lead-2");
  std::vector<std::string> seen;
  for (int i = 0; i < 20; ++i) {  // bounded: more than 20 is a failure anyway
    auto m = agent.next(1500ms);
    if (!m) break;
    seen.push_back((*m)["payload"].value("name", ""));
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"peer-2", "mine-2", "lead-2"}));
}

TEST_F(LiveEvents, AWorkspacesStreamCarriesItsEventsAsServerSentEvents) {
  const std::string a = create("a");
  const std::string b = create("b");
  auto stream = LiveClient::events(server_.port(), "/workspaces/" + a + "/events/stream",
                                   {{"Authorization", "Bearer " + tokenOf(a)}});
  rename(b, "b-2");
  rename(a, "a-2");
  auto m = stream.next(5s);
  ASSERT_TRUE(m) << "no event on the stream";
  EXPECT_EQ((*m)["type"], "WORKSPACE_UPDATED") << "b's change is not on a's stream";
  EXPECT_EQ((*m)["data"]["name"], "a-2");
  EXPECT_TRUE((*m)["timestamp"].is_number_integer()) << "Unix milliseconds";
  EXPECT_FALSE(m->contains("workspace_id"));
  EXPECT_EQ(streamStatus(server_.port(), "/workspaces/" + a + "/events/stream", {}), 401);
  EXPECT_EQ(streamStatus(server_.port(), "/workspaces/" + a + "/events/stream", {{"Authorization", "Bearer " + tokenOf(b)}}), 401)
      << "another workspace's token";
}

TEST_F(LiveEvents, RevokingATokenEndsTheStreamsItOpened) {
  const std::string a = create("a");
  const std::string kept = tokenOf(a);
  const std::string revoked = tokenOf(a);  // the newest: first in the list
  auto by_revoked = LiveClient::events(server_.port(), "/workspaces/" + a + "/events/stream", {{"Authorization", "Bearer " + revoked}});
  auto hub_revoked = LiveClient::socket(server_.port(), "/ws", {{"X-Workspace-ID", a}, {"Authorization", "Bearer " + revoked}});
  auto by_kept = LiveClient::events(server_.port(), "/workspaces/" + a + "/events/stream", {{"Authorization", "Bearer " + kept}});
  const std::string token_id = admin_.get("/workspaces/" + a + "/tokens").json()["tokens"][0]["id"];
  ASSERT_EQ(admin_.request("DELETE", "/workspaces/" + a + "/tokens/" + token_id).status, 200);
  EXPECT_TRUE(by_revoked.ended(5s)) << "the revoked token's stream goes on";
  EXPECT_TRUE(hub_revoked.ended(5s)) << "the revoked token's hub connection goes on";
  rename(a, "a-2");
  auto m = by_kept.next(5s);
  ASSERT_TRUE(m) << "the other token's stream ended too";
  EXPECT_EQ((*m)["data"]["name"], "a-2");
}

TEST_F(LiveEvents, StreamsEndWhenTheServerStops) {
  auto hub = LiveClient::socket(server_.port(), "/ws", {{"Authorization", "Bearer " + kAdmin}});
  const std::string a = create("a");
  auto stream = LiveClient::events(server_.port(), "/workspaces/" + a + "/events/stream", {{"Authorization", "Bearer " + kAdmin}});
  EXPECT_EQ(server_.terminate(), 0);
  EXPECT_TRUE(hub.ended(5s));
  EXPECT_TRUE(stream.ended(5s));
}

}  // namespace
}  // namespace ws::test
