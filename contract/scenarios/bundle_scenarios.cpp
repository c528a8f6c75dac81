// Bundles through the real server on each backend: a workspace exported with a config file, a
// schedule, a memory and a secret's name, and imported again as a new workspace whose workload
// has the file in /configs.

#include <algorithm>

#include "harness.h"
#include "support/backend_env.h"

namespace ws::contract {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using test::kBackendAdmin;
using test::waitForStatus;

CONTRACT_SCENARIO(bundles, ExportedWorkspaceIsImportedWithItsFilesScheduleAndMemory) {
  auto& env = bench.server();
  test::ServerProcess server(env.serverArgs(), env.serverEnv());
  auto c = server.client(kBackendAdmin);
  auto created = c.post("/workspaces", {{"name", "bundled"},
                                        {"tier", 2},
                                        {"secrets", {{"BUNDLE_TOKEN", "s3cret-value-never-exported"}}},
                                        {"initial_memories", {{{"content", "the map is upside down"}}}}});
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string id = created.json()["id"];
  ASSERT_EQ(waitForStatus(c, id, "online", 60s), "online");
  auto wrote = c.request("PUT", "/workspaces/" + id + "/files/notes/guide.md", json{{"content", "follow the river\n"}}.dump());
  ASSERT_EQ(wrote.status, 200) << wrote.body;
  auto scheduled = c.post("/workspaces/" + id + "/schedules", {{"name", "daily"}, {"cron_expr", "0 9 * * *"}, {"prompt", "report"}});
  ASSERT_EQ(scheduled.status, 201) << scheduled.body;

  auto exported = c.get("/bundles/export/" + id);
  ASSERT_EQ(exported.status, 200) << exported.body;
  const json bundle = exported.json();
  EXPECT_EQ(bundle["files"].value("notes/guide.md", ""), "follow the river\n") << "read from the workload's /configs";
  EXPECT_TRUE(bundle["files"].contains("config.yaml"));
  EXPECT_FALSE(bundle["files"].contains(".auth_token")) << "a bundle never carries a credential";
  EXPECT_EQ(bundle["secrets"], json::array({"BUNDLE_TOKEN"}));
  EXPECT_EQ(exported.body.find("s3cret-value"), std::string::npos) << "secret values never leave";
  ASSERT_EQ(bundle["schedules"].size(), 1u);
  ASSERT_EQ(bundle["memories"].size(), 1u);

  auto imported = c.post("/bundles/import", bundle);
  ASSERT_EQ(imported.status, 201) << imported.body;
  const std::string copy = imported.json()["workspace_id"];
  EXPECT_NE(copy, id) << "an import makes a new workspace";
  EXPECT_EQ(imported.json()["missing_secrets"], json::array({"BUNDLE_TOKEN"}));
  ASSERT_EQ(waitForStatus(c, copy, "online", 60s), "online");
  EXPECT_EQ(env.execIn(copy, {"cat", "/configs/notes/guide.md"}), "follow the river\n");
  EXPECT_NE(env.execIn(copy, {"cat", "/configs/config.yaml"}).find("name: bundled"), std::string::npos);
  const json schedules = c.get("/workspaces/" + copy + "/schedules").json();
  ASSERT_EQ(schedules.size(), 1u) << schedules;
  EXPECT_EQ(schedules[0]["name"], "daily");
  const json memories = c.get("/workspaces/" + copy + "/memories").json();
  ASSERT_TRUE(memories.is_array() && memories.size() == 1) << memories;
  EXPECT_EQ(memories[0]["content"], "the map is upside down");
  // The file is the copy's own: it comes back at every provision.
  ASSERT_EQ(c.post("/workspaces/" + copy + "/restart", json::object()).status, 200);
  ASSERT_TRUE(Bench::eventually([&] {
    const json events = c.get("/events/" + copy).json();
    return std::count_if(events.begin(), events.end(), [](const json& e) { return e["event_type"] == "WORKSPACE_PROVISIONING"; }) >= 2;
  }));
  ASSERT_EQ(waitForStatus(c, copy, "online", 60s), "online");
  EXPECT_EQ(env.execIn(copy, {"cat", "/configs/notes/guide.md"}), "follow the river\n");
}

}  // namespace
}  // namespace ws::contract
