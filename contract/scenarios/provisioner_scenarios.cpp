// Scenarios on the Provisioner interface itself: they run on every backend, the reference
// model included.

#include <algorithm>
#include <mutex>
#include <thread>

#include "harness.h"
#include "core/tar.h"

namespace ws::contract {
namespace {

using namespace std::chrono_literals;

bool listed(Bench& bench, const std::string& id) {
  const auto ids = bench.must(bench.provisioner().listManaged(), "listManaged");
  return std::any_of(ids.begin(), ids.end(), [&](const std::string& x) { return !x.empty() && id.rfind(x, 0) == 0; });
}

std::string tarOf(Bench& bench, const std::vector<std::pair<std::string, std::string>>& files) {
  return bench.must(makeTar(filesToTarEntries(files)), "make a tar");
}

CONTRACT_SCENARIO(workspace_start, StartRunsALabelledWorkload) {
  const auto id = bench.started();
  EXPECT_TRUE(bench.provisioner().isRunning(id).running);
  EXPECT_TRUE(listed(bench, id)) << "a started workload is one the orphan sweep can see";
}

CONTRACT_SCENARIO(workspace_start, UnwiredClientAnswersBackendUnavailable) {
  auto unwired = bench.backend().unwired();
  const std::string id = bench.newId();
  auto started = unwired->start(bench.config(id));
  ASSERT_FALSE(started);
  EXPECT_EQ(started.error().code, Errc::backend_unavailable);
  auto stopped = unwired->stop(id);
  ASSERT_FALSE(stopped);
  EXPECT_EQ(stopped.error().code, Errc::backend_unavailable);
  const auto live = unwired->isRunning(id);
  EXPECT_TRUE(live.running) << "alive on uncertainty";
  ASSERT_TRUE(live.error);
  EXPECT_EQ(live.error->code, Errc::backend_unavailable);
  EXPECT_EQ(unwired->listManaged().error().code, Errc::backend_unavailable);
}

CONTRACT_SCENARIO(workspace_stop, StopIsIdempotent) {
  const auto id = bench.started();
  bench.must(bench.provisioner().stop(id), "stop");
  EXPECT_TRUE(Bench::eventually([&] { return !bench.provisioner().isRunning(id).running; }, 30s));
  bench.must(bench.provisioner().stop(id), "stop again");
  bench.must(bench.provisioner().stop(bench.newId()), "stop an id that never ran");
}

CONTRACT_SCENARIO(workspace_delete, RemovedStorageDoesNotComeBack) {
  const auto id = bench.started();
  bench.must(bench.provisioner().writeArchive(id, "/workspace", tarOf(bench, {{"kept.txt", "data"}})), "write");
  bench.must(bench.provisioner().stop(id), "stop");
  bench.must(bench.provisioner().removeVolumes(id), "removeVolumes");
  bench.must(bench.provisioner().removeVolumes(id), "removeVolumes again");
  bench.must(bench.provisioner().start(bench.config(id)), "start with the same id");
  ASSERT_TRUE(Bench::eventually([&] { return bench.provisioner().isRunning(id).running; }));
  EXPECT_FALSE(bench.provisioner().readArchive(id, "/workspace/kept.txt")) << "a deleted workspace starts empty";
}

CONTRACT_SCENARIO(workspace_restart, WorkspaceDataFollowsTheDeclaredDivergence) {
  const auto id = bench.started();
  bench.must(bench.provisioner().writeArchive(id, "/workspace", tarOf(bench, {{"note.txt", "kept"}})), "write");
  bench.must(bench.provisioner().stop(id), "stop");
  bench.must(bench.provisioner().start(bench.config(id)), "start again");
  ASSERT_TRUE(Bench::eventually([&] { return bench.provisioner().isRunning(id).running; }));
  // Declared by PARITY_DIVERGES(workspace_restart): Docker keeps /workspace, instances do not.
  if (bench.backend().keepsWorkspaceData()) {
    EXPECT_EQ(bench.readFile(id, "/workspace/note.txt"), "kept");
  } else {
    EXPECT_FALSE(bench.provisioner().readArchive(id, "/workspace/note.txt"));
  }
}

// Whether the file at `path` in the workspace comes to hold `content` (the Docker entrypoint
// unpacks the config a moment after the workload starts, before it starts the agent).
bool holds(Bench& bench, const std::string& id, const std::string& path, const std::string& content) {
  return Bench::eventually(
      [&] {
        auto tar = bench.provisioner().readArchive(id, path);
        auto entries = tar ? readTar(*tar) : Result<std::vector<TarEntry>>(tar.error());
        return entries && entries->size() == 1 && entries->front().content == content;
      },
      10s);
}

CONTRACT_SCENARIO(config_injection, ConfigFilesAreInConfigsWhenTheWorkloadRuns) {
  const auto id = bench.started();
  const auto config = bench.config(id);
  EXPECT_TRUE(holds(bench, id, "/configs/config.yaml", config.config_files.at("config.yaml")));
  EXPECT_TRUE(holds(bench, id, "/configs/.auth_token", config.config_files.at(".auth_token")));
}

CONTRACT_SCENARIO(config_hot_reload, ANewConfigAppliesOnRestart) {
  const auto id = bench.started();
  bench.must(bench.provisioner().stop(id), "stop");
  auto changed = bench.config(id);
  changed.config_files["config.yaml"] = "name: \"renamed\"\nruntime: \"deepagents\"\n";
  bench.must(bench.provisioner().start(changed), "start with the new config");
  ASSERT_TRUE(Bench::eventually([&] { return bench.provisioner().isRunning(id).running; }));
  EXPECT_TRUE(holds(bench, id, "/configs/config.yaml", changed.config_files["config.yaml"]));
}

CONTRACT_SCENARIO(template_recipes, ProviderKeysReachTheAgentEnvironment) {
  const auto id = bench.started([](WorkspaceConfig& c) {
    c.env["ANTHROPIC_API_KEY"] = "sk-contract-anthropic";
    c.env["S3_ACCESS_KEY_ID"] = "AKIA-CONTRACT";
    c.env["UNRELATED_SETTING"] = "not a provider key";
  });
  std::string env;
  ASSERT_TRUE(Bench::eventually([&] {
    auto tar = bench.provisioner().readArchive(id, "/configs/.env");
    if (!tar) return false;
    env = bench.readFile(id, "/configs/.env");
    return !env.empty();
  })) << "the recipe writes /configs/.env at boot";
  EXPECT_NE(env.find("ANTHROPIC_API_KEY=sk-contract-anthropic\n"), std::string::npos) << env;
  EXPECT_NE(env.find("S3_ACCESS_KEY_ID=AKIA-CONTRACT\n"), std::string::npos) << env;
  EXPECT_EQ(env.find("OPENAI_API_KEY"), std::string::npos) << "unset keys stay out: " << env;
  EXPECT_EQ(env.find("UNRELATED_SETTING"), std::string::npos) << env;
}

CONTRACT_SCENARIO(exec_command, ExecReportsOutputAndExitCode) {
  const auto id = bench.started();
  const auto r = bench.must(bench.provisioner().exec(id, {"sh", "-c", "echo to-out; echo to-err >&2; exit 3"}, ""), "exec");
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.output.find("to-out"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("to-err"), std::string::npos) << r.output;
  const auto piped = bench.must(bench.provisioner().exec(id, {"cat"}, "through stdin"), "exec with stdin");
  EXPECT_EQ(piped.exit_code, 0);
  EXPECT_EQ(piped.output, "through stdin");
}

CONTRACT_SCENARIO(archive_transfer, ArchivesRoundTrip) {
  const auto id = bench.started();
  bench.must(bench.provisioner().writeArchive(id, "/workspace",
                                              tarOf(bench, {{"project/readme.md", "# hello"}, {"project/src/a.txt", "A"}})),
             "writeArchive");
  EXPECT_EQ(bench.readFile(id, "/workspace/project/readme.md"), "# hello");
  const auto tar = bench.must(bench.provisioner().readArchive(id, "/workspace/project"), "readArchive of a directory");
  const auto entries = bench.must(readTar(tar), "untar");
  std::vector<std::string> files;
  for (const auto& e : entries)
    if (!e.directory) files.push_back(e.path);
  std::sort(files.begin(), files.end());
  EXPECT_EQ(files, (std::vector<std::string>{"project/readme.md", "project/src/a.txt"}));
  EXPECT_FALSE(bench.provisioner().readArchive(id, "/workspace/missing.txt")) << "a missing path is an error";
}

CONTRACT_SCENARIO(terminal_session, TerminalRunsAShell) {
  const auto id = bench.started();
  auto terminal = bench.must(bench.provisioner().openTerminal(id), "openTerminal");
  bench.must(terminal->write("echo marker-$((6*7))\n"), "write");
  std::mutex mutex;
  std::string seen;
  auto saw = [&] {
    std::lock_guard lock(mutex);
    return seen.find("marker-42") != std::string::npos;
  };
  std::thread reader([&] {
    for (;;) {
      auto chunk = terminal->read();
      if (!chunk || chunk->empty()) return;
      std::lock_guard lock(mutex);
      seen += *chunk;
    }
  });
  const bool answered = Bench::eventually(saw, 15s);
  terminal->close();
  reader.join();
  EXPECT_TRUE(answered);
  EXPECT_NE(seen.find("marker-42"), std::string::npos) << "the shell evaluated the command: " << seen;
}

CONTRACT_SCENARIO(boot_log, BootLogShowsTheWorkspaceBooting) {
  const auto id = bench.started();
  std::string log;
  EXPECT_TRUE(Bench::eventually([&] {
    auto r = bench.provisioner().bootLog(id);
    if (r) log = *r;
    return log.find(id) != std::string::npos;
  })) << "the boot output names the workspace: " << log;
}

CONTRACT_SCENARIO(a2a_liveness, IsRunningFollowsTheWorkload) {
  const auto id = bench.started();
  const auto live = bench.provisioner().isRunning(id);
  EXPECT_TRUE(live.running);
  EXPECT_FALSE(live.error);
  bench.backend().killBehindItsBack(id);
  EXPECT_TRUE(Bench::eventually([&] { return !bench.provisioner().isRunning(id).running; }, 30s));
  const auto unknown = bench.provisioner().isRunning(bench.newId());
  EXPECT_FALSE(unknown.running) << "an id the backend never ran is not running";
}

CONTRACT_SCENARIO(a2a_liveness, IsRunningSeesAWorkloadThatStopped) {
  // The workload is still there (an exited container, a stopped instance), its agent is not.
  const auto id = bench.started();
  ASSERT_TRUE(bench.provisioner().isRunning(id).running);
  bench.backend().crashBehindItsBack(id);
  EXPECT_TRUE(Bench::eventually([&] { return !bench.provisioner().isRunning(id).running; }, 30s));
  EXPECT_FALSE(bench.provisioner().isRunning(id).error) << "a stopped workload is a certain answer";
}

CONTRACT_SCENARIO(orphan_sweep, ListManagedFollowsTheWorkloads) {
  const auto id = bench.started();
  EXPECT_TRUE(listed(bench, id));
  bench.must(bench.provisioner().stop(id), "stop");
  EXPECT_TRUE(Bench::eventually([&] { return !listed(bench, id); }, 30s)) << "a stopped workload is no longer managed";
}

}  // namespace
}  // namespace ws::contract
