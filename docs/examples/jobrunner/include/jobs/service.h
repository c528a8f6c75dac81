#pragma once
// JobService: chooses the backend and is the only place that calls it, one dispatcher per verb
// (the *Auto members). Everything else calls these.

#include <memory>
#include <string>

#include "jobs/runner.h"

namespace jobs {

class JobService {
 public:
  JobService(std::unique_ptr<Runner> batch, std::unique_ptr<Runner> local)
      : batch_(std::move(batch)), local_(std::move(local)) {}

  /// Whether any backend is wired: the gate bulk paths check first.
  bool hasRunner() const;

  Status launchAuto(const std::string& id, const std::string& command);
  Status cancelAuto(const std::string& id);
  bool isRunningAuto(const std::string& id);
  Status logsAuto(const std::string& id, std::string& out);

  /// Launches a batch of jobs (a bulk path: it must gate on hasRunner()).
  int launchAll(const std::string& prefix, int count, const std::string& command);

 private:
  Runner* active() const { return batch_ ? batch_.get() : local_.get(); }

  std::unique_ptr<Runner> batch_;
  std::unique_ptr<Runner> local_;
};

}  // namespace jobs
