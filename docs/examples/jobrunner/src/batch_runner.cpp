// A cloud batch service (simulated in memory): jobs are submitted and cancelled by API; it
// keeps no logs.
#include <set>

#include "jobs/runner.h"
#include "parity/parity.h"

namespace jobs {
namespace {

class BatchRunner : public Runner {
 public:
  Status launch(const std::string& id, const std::string& /*command*/) override {
    PARITY_IMPL(job_launch, batch, "SubmitJob with the command as the container's entry point");
    submitted_.insert(id);
    return Status::ok;
  }
  Status cancel(const std::string& id) override {
    PARITY_IMPL(job_cancel, batch, "TerminateJob; an unknown id is not an error");
    submitted_.erase(id);
    return Status::ok;
  }
  bool isRunning(const std::string& id) override { return submitted_.contains(id); }
  Status logs(const std::string& /*id*/, std::string& /*out*/) override {
    PARITY_UNSUPPORTED(job_logs, batch, "the batch service keeps no logs", "README.md#logs");
    return Status::unsupported;
  }

 private:
  std::set<std::string> submitted_;
};

}  // namespace

std::unique_ptr<Runner> makeBatchRunner() { return std::make_unique<BatchRunner>(); }

}  // namespace jobs
