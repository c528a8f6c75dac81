#include "jobs/service.h"

#include "parity/parity.h"

namespace jobs {

// The dispatchers: the batch backend when configured, else local processes.

Status JobService::launchAuto(const std::string& id, const std::string& command) {
  if (!hasRunner()) return Status::unsupported;
  return active()->launch(id, command);
}

Status JobService::cancelAuto(const std::string& id) {
  if (!hasRunner()) return Status::ok;  // nothing runs anywhere
  return active()->cancel(id);
}

bool JobService::isRunningAuto(const std::string& id) { return hasRunner() && active()->isRunning(id); }

Status JobService::logsAuto(const std::string& id, std::string& out) {
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
