// The test infrastructure's own contract: a run's state file names every workload before the
// backend makes it, and tools/contract-sweep removes what those records name once their run is
// dead. Here a dead run is stood in for by a state file holding one workload's records under
// the pid of a process that has exited; tests/contract/sweep_after_kill.sh kills a real run.

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "harness.h"
#include "support/backend_env.h"
#include "support/resource_journal.h"

namespace ws::contract {
namespace {

using nlohmann::json;

/// The pid of a process that has exited (and been reaped).
int deadPid() {
  const pid_t pid = fork();
  if (pid == 0) _exit(0);
  int status = 0;
  waitpid(pid, &status, 0);
  return static_cast<int>(pid);
}

/// Runs tools/contract-sweep over `dir`; its exit status and output.
std::pair<int, std::string> sweep(const std::filesystem::path& dir) {
  const std::string cmd = std::string(WS_SOURCE_DIR) + "/tools/contract-sweep --state-dir '" + dir.string() + "' 2>&1";
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) throw StepFailed("cannot run tools/contract-sweep");
  char buf[4096];
  while (auto n = fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  const int status = pclose(p);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

CONTRACT_SCENARIO(contract_cleanup, SweepRemovesTheWorkloadsADeadRunRecorded) {
  auto& env = bench.server();  // the reference model has nothing outside this process
  const std::string id = bench.started();
  const auto records = test::ResourceJournal::get().recordsMentioning(id);
  ASSERT_FALSE(records.empty()) << "the run's state file names the workload";
  ASSERT_TRUE(env.workloadUp(id));

  const auto dir = std::filesystem::temp_directory_path() / ("ws-contract-sweep-" + id.substr(0, 8));
  std::filesystem::create_directories(dir);
  struct Cleanup {
    std::filesystem::path dir;
    ~Cleanup() { std::filesystem::remove_all(dir); }
  } cleanup{dir};
  {
    std::ofstream state(dir / "dead-run.jsonl");
    state << json{{"kind", "run"}, {"pid", deadPid()}, {"start", "0"}, {"cmdline", "a run that was killed"}}.dump() << "\n";
    for (const auto& r : records) state << r.dump() << "\n";
    state << "{\"kind\": \"instance\", \"trunc";  // a line cut short by the kill
  }
  const auto [status, output] = sweep(dir);
  EXPECT_EQ(status, 0) << output;
  EXPECT_TRUE(env.workloadGone(id)) << output;
  EXPECT_FALSE(env.storageLeft(id)) << output;
  EXPECT_FALSE(std::filesystem::exists(dir / "dead-run.jsonl")) << "a swept run's state file goes\n" << output;
  // A live run's file is left alone, and so is everything it names: this process is alive.
  const std::string kept = bench.started();
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  std::filesystem::copy_file(test::ResourceJournal::get().path(), dir / "live-run.jsonl");
  const auto [again, live] = sweep(dir);
  EXPECT_EQ(again, 0) << live;
  EXPECT_TRUE(std::filesystem::exists(dir / "live-run.jsonl")) << live;
  EXPECT_TRUE(env.workloadUp(kept)) << live;
}

}  // namespace
}  // namespace ws::contract
