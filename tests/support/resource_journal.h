#pragma once
// The state file of a test run that creates backend resources (the contract suites, the backend
// tests): one JSON object per line, each naming a resource *before* the call that creates it,
// so that a run killed midway (SIGKILL, a CI timeout) leaves a record of everything it may have
// left behind: its processes, the label and org scopes of its servers, and each container,
// volume and instance. tools/contract-sweep reads the files of dead runs and removes what they
// name. A run that ends normally deletes its file: its environments cleaned up after themselves.
//
// One file per run, <dir>/<pid>-<start>.jsonl, in $WS_CONTRACT_STATE or the build's
// test-results/contract-state. The first line describes the run itself:
//   {"kind":"run","pid":123,"start":"456789","cmdline":"...","at":1700000000}

#include <nlohmann/json.hpp>

#include <mutex>
#include <string>
#include <vector>

namespace ws::test {

class ResourceJournal {
 public:
  /// The process's journal. It records nothing until enable().
  static ResourceJournal& get();
  ~ResourceJournal();

  /// Starts recording (idempotent): environments that create backend resources call it.
  void enable();
  bool enabled() const;
  /// Appends {"kind": kind, ...fields, "at": <unix seconds>} and hands it to the kernel at once.
  void record(const std::string& kind, nlohmann::json fields);
  /// A process the run started, with its start time so that a reused pid is never taken for it.
  void recordProcess(const std::string& role, int pid, const std::string& binary, const std::string& dir);
  /// The run's records (not the run line) that mention `text` in any string field.
  std::vector<nlohmann::json> recordsMentioning(const std::string& text) const;
  /// The state file; empty before the first record.
  std::string path() const;

 private:
  ResourceJournal() = default;
  void openLocked();

  mutable std::mutex mutex_;
  bool enabled_ = false;
  int fd_ = -1;
  std::string path_;
};

/// The start time of process `pid` (field 22 of /proc/<pid>/stat, in clock ticks since boot);
/// empty when there is no such process.
std::string processStartTime(int pid);

}  // namespace ws::test
