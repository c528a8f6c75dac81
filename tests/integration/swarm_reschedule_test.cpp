// Node loss on the Swarm backend: a workspace task's container dies (docker kill on the engine)
// and the engine, not the server, brings the workspace back. The server runs its health sweep
// every second throughout; had the sweep seen the workspace dead it would have restarted it, and
// a restart by the server removes the service and creates another (a new service id) and records
// WORKSPACE_OFFLINE. Neither happens: the same service runs a new task and the agent in it
// registers again and answers messages.

#include <gtest/gtest.h>

#include <thread>

#include "backends/docker/engine_client.h"
#include "support/backend_env.h"

namespace ws::test {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

bool eventually(const std::function<bool()>& done, std::chrono::seconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(100ms);
  }
  return done();
}

TEST(SwarmNodeLoss, TheEngineReschedulesAKilledTaskWithoutTheServer) {
  SwarmEnv env;
  auto args = env.serverArgs();
  args.insert(args.end(), {"--health-sweep-seconds", "1", "--sweep-interval-ms", "200"});
  ServerProcess server(args, env.serverEnv());
  auto c = server.client(kBackendAdmin);
  auto created = c.post("/workspaces", {{"name", "survivor"}, {"tier", 2}});
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string id = created.json()["id"];
  ASSERT_EQ(waitForStatus(c, id, "online", 60s), "online");
  const std::string service = env.serviceId(id), first = env.taskContainer(id);
  ASSERT_FALSE(service.empty());
  ASSERT_FALSE(first.empty());

  ASSERT_TRUE(env.engine().call("POST", "/containers/" + first + "/kill"));
  std::string second;
  ASSERT_TRUE(eventually([&] { return !(second = env.taskContainer(id)).empty() && second != first; }, 60s))
      << "the engine ran no new task";
  // The agent in the new task registered with this server again.
  ASSERT_TRUE(eventually([&] {
    auto logs = env.engine().request("GET", "/containers/" + second + "/logs?stdout=1&stderr=1");
    return logs && docker::EngineClient::demultiplex(logs->body).combined.find("registered with") != std::string::npos;
  }, 60s));
  const json send{{"method", "message/send"},
                  {"params", {{"message", {{"role", "user"}, {"parts", {{{"kind", "text"}, {"text", "still there?"}}}}}}}}};
  auto reply = c.post("/workspaces/" + id + "/a2a", send);
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_NE(reply.body.find("still there?"), std::string::npos) << reply.body;
  EXPECT_EQ(waitForStatus(c, id, "online", 5s), "online");

  // The server did none of it.
  EXPECT_EQ(env.serviceId(id), service) << "the server recreated the service: its restart, not the engine's";
  EXPECT_FALSE(sawEvent(c, id, "WORKSPACE_OFFLINE")) << "the health sweep saw the workspace dead";
  ASSERT_EQ(c.request("DELETE", "/workspaces/" + id).status, 200);
  EXPECT_TRUE(env.workloadGone(id));
}

}  // namespace
}  // namespace ws::test
