// The contract suite: every scenario against both backends; results for `parity verify`.
//   contract_tests RESULTS_DIR     (writes RESULTS_DIR/local.json and RESULTS_DIR/batch.json)
#include <iostream>
#include <memory>

#include "harness.h"
#include "parity/results.h"

CONTRACT_SCENARIO(job_launch, LaunchedJobRuns) {
  bench.must(bench.runner().launch("j1", "echo hi"), "launch");
  bench.expect(bench.runner().isRunning("j1"), "a launched job runs");
}

CONTRACT_SCENARIO(job_cancel, CancelStopsTheJob) {
  bench.must(bench.runner().launch("j1", "sleep 60"), "launch");
  bench.must(bench.runner().cancel("j1"), "cancel");
  bench.expect(!bench.runner().isRunning("j1"), "a cancelled job no longer runs");
}

CONTRACT_SCENARIO(job_cancel, CancelOfAnUnknownIdIsOk) {
  bench.must(bench.runner().cancel("no-such-job"), "cancel of an unknown id");
}

CONTRACT_SCENARIO(job_logs, LogsShowTheCommand) {
  bench.must(bench.runner().launch("j1", "echo hi"), "launch");
  std::string log;
  bench.must(bench.runner().logs("j1", log), "logs");
  bench.expect(log.find("echo hi") != std::string::npos, "the log shows the command, got: " + log);
}

int main(int argc, char** argv) {
  const std::filesystem::path out = argc > 1 ? argv[1] : "contract-results";
  const struct {
    const char* backend;
    std::unique_ptr<jobs::Runner> (*make)();
  } backends[] = {{"local", &jobs::makeLocalRunner}, {"batch", &jobs::makeBatchRunner}};
  int failures = 0;
  for (const auto& b : backends) {
    parity::Results results;
    for (const auto& s : contract::scenarios()) {
      const auto runner = b.make();  // a fresh backend per scenario
      contract::Bench bench(*runner);
      std::string observed = "pass";
      try {
        s.body(bench);
        if (!bench.failure().empty()) observed = "fail";
      } catch (const contract::Unsupported&) {
        observed = "unsupported";
      }
      failures += observed == "fail";
      std::cout << b.backend << " " << s.feature << "/" << s.name << ": " << observed << "\n";
      results.add({.feature = s.feature, .backend = b.backend, .scenario = s.name, .file = s.file, .line = s.line, .expected = "",
                   .observed = observed, .detail = bench.failure()});
    }
    if (!results.write(out / (std::string(b.backend) + ".json"))) {
      std::cerr << "cannot write " << (out / b.backend).string() << ".json\n";
      return 2;
    }
  }
  return failures == 0 ? 0 : 1;
}
