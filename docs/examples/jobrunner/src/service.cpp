#include "jobs/service.h"

#include "parity/parity.h"

namespace jobs {

// The dispatchers: the batch backend when configured, else local processes. Each says what it
// does without a backend (PARITY_DISPATCHER; `parity check` demands one in every *Auto and in
// the gate the checks name, hasRunner).

bool JobService::hasRunner() const {
  PARITY_DISPATCHER(hasRunner, "false",
                    "none: the one test of the backend pointers (parity-bare-backend-null-check)");
  return batch_ || local_;
}

Status JobService::launchAuto(const std::string& id, const std::string& command) {
  PARITY_DISPATCHER(launchAuto, "refuses: unsupported", "contract/, which tests each backend itself");
  if (!hasRunner()) return Status::unsupported;
  return active()->launch(id, command);
}

Status JobService::cancelAuto(const std::string& id) {
  PARITY_DISPATCHER(cancelAuto, "nothing runs anywhere: ok", "contract/, which tests each backend itself");
  if (!hasRunner()) return Status::ok;
  return active()->cancel(id);
}

bool JobService::isRunningAuto(const std::string& id) {
  PARITY_DISPATCHER(isRunningAuto, "false", "contract/, which tests each backend itself");
  return hasRunner() && active()->isRunning(id);
}

Status JobService::logsAuto(const std::string& id, std::string& out) {
  PARITY_DISPATCHER(logsAuto, "refuses: unsupported", "contract/, which tests each backend itself");
  if (!hasRunner()) return Status::unsupported;
  return active()->logs(id, out);
}

int JobService::launchAll(const std::string& prefix, int count, const std::string& command) {
  if (!hasRunner()) return 0;
  int launched = 0;
  for (int i = 0; i < count; ++i)
    if (launchAuto(prefix + std::to_string(i), command) == Status::ok) ++launched;
  return launched;
}

}  // namespace jobs
