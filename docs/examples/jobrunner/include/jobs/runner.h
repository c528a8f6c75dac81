#pragma once
// The backend interface: every way of running a job implements it. Only the dispatchers in
// JobService call it (the parity-* checks enforce that; see .clang-tidy).

#include <memory>
#include <string>

namespace jobs {

enum class Status { ok, not_found, unsupported };

class Runner {
 public:
  virtual ~Runner() = default;
  virtual Status launch(const std::string& id, const std::string& command) = 0;
  virtual Status cancel(const std::string& id) = 0;
  virtual bool isRunning(const std::string& id) = 0;
  virtual Status logs(const std::string& id, std::string& out) = 0;
};

std::unique_ptr<Runner> makeLocalRunner();
std::unique_ptr<Runner> makeBatchRunner();

}  // namespace jobs
