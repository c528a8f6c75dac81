// Crash safety on a real backend: the server is killed (SIGKILL) at several moments of a
// 20-workspace org import and started again on the same database. Every workspace must then
// come online or fail with a reason (interrupted provisions are driven again, not left to the
// provision timeout), and after an orphan sweep no workload may lack a live row.

#include <gtest/gtest.h>

#include <chrono>
#include <set>
#include <thread>

#include "support/backend_env.h"

namespace ws::test {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

json orgOfTwenty() {
  json roots = json::array();
  for (int r = 0; r < 4; ++r) {
    json children = json::array();
    for (int c = 0; c < 4; ++c) children.push_back({{"name", "member-" + std::to_string(r) + "-" + std::to_string(c)}});
    roots.push_back({{"name", "lead-" + std::to_string(r)}, {"children", children}});
  }
  return {{"name", "crash-org"}, {"defaults", {{"tier", 2}}}, {"workspaces", roots}};
}

std::set<std::string> liveIds(HttpClient& c) {
  std::set<std::string> out;
  for (const auto& w : c.get("/workspaces").json()) out.insert(w["id"].get<std::string>());
  return out;
}

TEST(CrashSafety, KillNineDuringAnOrgImportLeavesNothingBehind) {
  DockerEnv env;
  TempDir dir;
  std::vector<std::string> args = env.serverArgs();
  args.insert(args.end(), {"--db", dir.path() + "/workspace.db", "--sweep-interval-ms", "500", "--orphan-sweep-seconds", "2"});
  const json tmpl = orgOfTwenty();
  for (int delay_ms : {0, 30, 120, 400, 1500}) {
    SCOPED_TRACE("killed " + std::to_string(delay_ms) + " ms into the import");
    {
      ServerProcess doomed(args, env.serverEnv());
      std::thread import([&] {
        try {
          doomed.client(kBackendAdmin).post("/org/import", {{"template", tmpl}});
        } catch (const std::exception&) {  // the connection dies with the server
        }
      });
      std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
      doomed.crash();
      import.join();
    }
    ServerProcess again(args, env.serverEnv());
    auto c = again.client(kBackendAdmin);
    const auto rows = c.get("/workspaces").json();
    EXPECT_TRUE(rows.empty() || rows.size() == 20) << "the import is all or nothing, found " << rows.size();
    int interrupted = 0;
    for (const auto& w : rows) interrupted += w["status"] == "provisioning" ? 1 : 0;
    // Every workspace settles: online, or failed with a recorded reason.
    const auto deadline = std::chrono::steady_clock::now() + 90s;
    int online = 0, failed = 0, unsettled = 0;
    do {
      online = failed = unsettled = 0;
      for (const auto& w : c.get("/workspaces").json()) {
        const std::string status = w["status"];
        if (status == "online") ++online;
        else if (status == "failed") ++failed;
        else ++unsettled;
      }
      if (unsettled == 0) break;
      std::this_thread::sleep_for(250ms);
    } while (std::chrono::steady_clock::now() < deadline);
    EXPECT_EQ(unsettled, 0);
    for (const auto& w : c.get("/workspaces").json())
      if (w["status"] == "failed") {
        EXPECT_TRUE(sawEvent(c, w["id"], "WORKSPACE_PROVISION_FAILED")) << w.dump();
        std::printf("  failed: %s\n", w.value("last_sample_error", "").c_str());
      }
    // After an orphan sweep, every workload this server made belongs to a live row.
    std::this_thread::sleep_for(3s);
    const auto live = liveIds(c);
    auto managed = env.provisioner().listManaged();
    ASSERT_TRUE(managed) << managed.error().message;
    int orphans = 0;
    for (const auto& id : *managed) orphans += live.count(id) ? 0 : 1;
    EXPECT_EQ(orphans, 0);
    std::printf("kill -9 at %d ms: %zu rows (%d provisioning at restart), then %d online, %d failed, %d unsettled, "
                "%d orphaned workloads\n", delay_ms, live.size(), interrupted, online, failed, unsettled, orphans);
    for (const auto& w : c.get("/workspaces").json())  // the roots take their teams with them
      if (w["parent_id"].is_null()) {
        const auto gone = c.request("DELETE", "/workspaces/" + w["id"].get<std::string>() + "?confirm=true");
        EXPECT_EQ(gone.status, 200) << gone.body;
      }
  }
}

}  // namespace
}  // namespace ws::test
