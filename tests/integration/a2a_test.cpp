// The A2A proxy's checks, before any agent is involved, and its answer when the agent cannot
// be reached. Delivery to real agents on both backends is a contract scenario (a2a_forward).

#include <gtest/gtest.h>

#include "support/server_process.h"

namespace ws::test {
namespace {

using nlohmann::json;

const std::string kAdmin = "a2a-admin-token";
const json kSend{{"method", "message/send"}, {"params", {{"message", {{"parts", {{{"kind", "text"}, {"text", "hi"}}}}}}}}};

TEST(A2aProxy, RefusesBadCallersAndBodiesAndExplainsMissingAgents) {
  ServerProcess server({"--allow-loopback-agents"}, {{"ADMIN_TOKEN", kAdmin}});
  auto c = server.client(kAdmin);
  const std::string managed = c.post("/workspaces", {{"name", "no backend"}}).json()["id"];
  const std::string path = "/workspaces/" + managed + "/a2a";

  EXPECT_EQ(c.post("/workspaces/00000000-0000-4000-8000-000000000000/a2a", kSend).status, 404);
  EXPECT_EQ(server.client().post(path, kSend).status, 401) << "the canvas needs credentials";
  EXPECT_EQ(c.request("POST", path, kSend.dump(), {{"X-Workspace-ID", "webhook:github"}}).status, 403);
  EXPECT_EQ(c.request("POST", path, kSend.dump(), {{"X-Workspace-ID", "not-a-uuid"}}).status, 400);
  EXPECT_EQ(c.request("POST", path, "not json").status, 400);
  EXPECT_EQ(c.request("POST", path, kSend.dump(), {{"X-Timeout", "soon"}}).status, 400);
  auto no_url = c.post(path, kSend);
  EXPECT_EQ(no_url.status, 503) << no_url.body;
  EXPECT_EQ(no_url.json()["status"], "failed");

  // An external agent that does not answer.
  const json ext = c.post("/workspaces", {{"name", "remote"}, {"external", true}, {"url", "http://127.0.0.1:9"}}).json();
  auto unreachable = c.post("/workspaces/" + ext["id"].get<std::string>() + "/a2a", kSend);
  EXPECT_EQ(unreachable.status, 502) << unreachable.body;
  EXPECT_EQ(unreachable.json()["error"], "failed to reach workspace agent");
  const json logged = c.get("/workspaces/" + ext["id"].get<std::string>() + "/activity?type=a2a_receive").json();
  ASSERT_EQ(logged.size(), 1u);
  EXPECT_EQ(logged[0]["status"], "error");

  // Naming the target as the caller is no credential: a workspace calling itself shows its token.
  const std::string ext_path = "/workspaces/" + ext["id"].get<std::string>() + "/a2a";
  const std::string self = ext["id"];
  const std::string token = c.post("/workspaces/" + self + "/tokens", json::object()).json()["auth_token"];
  auto anonymous = server.client().request("POST", ext_path, kSend.dump(), {{"X-Workspace-ID", self}});
  EXPECT_EQ(anonymous.status, 401) << anonymous.body;
  auto own = server.client(token).request("POST", ext_path, kSend.dump(), {{"X-Workspace-ID", self}});
  EXPECT_EQ(own.status, 502) << "past the checks, to the unreachable agent: " << own.body;
  EXPECT_EQ(c.get("/workspaces/" + self + "/activity?type=a2a_receive").json().size(), 2u) << "the refused call left no row";
}

}  // namespace
}  // namespace ws::test
