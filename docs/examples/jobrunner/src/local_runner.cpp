// Local processes (simulated: a job is a record that runs until cancelled).
#include <map>

#include "jobs/runner.h"
#include "parity/parity.h"

namespace jobs {
namespace {

class LocalRunner : public Runner {
 public:
  Status launch(const std::string& id, const std::string& command) override {
    PARITY_IMPL(job_launch, local, "fork and exec the command");
    log_[id] = "$ " + command + "\n";
    running_[id] = true;
    return Status::ok;
  }
  Status cancel(const std::string& id) override {
    PARITY_IMPL(job_cancel, local, "SIGTERM; an unknown id is already cancelled");
    running_[id] = false;
    return Status::ok;
  }
  bool isRunning(const std::string& id) override { return running_.contains(id) && running_[id]; }
  Status logs(const std::string& id, std::string& out) override {
    PARITY_IMPL(job_logs, local, "the captured stdout and stderr");
    auto it = log_.find(id);
    if (it == log_.end()) return Status::not_found;
    out = it->second;
    return Status::ok;
  }

 private:
  std::map<std::string, bool> running_;
  std::map<std::string, std::string> log_;
};

}  // namespace

std::unique_ptr<Runner> makeLocalRunner() {
  PARITY_UNBUILT(job_priority, "neither backend orders jobs yet", "README.md#priorities");
  return std::make_unique<LocalRunner>();
}

}  // namespace jobs
