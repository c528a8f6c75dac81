#pragma once
// The reference backend: the Provisioner contract as a small in-memory model, against which
// the contract scenarios run first. Workspaces, their /configs and /workspace volumes and
// their boot logs live in memory. Commands (exec, terminal) run in a host shell, since a
// model cannot interpret them; they see the host, not the in-memory files.

#include <map>
#include <mutex>
#include <set>
#include <string>

#include "ws/provisioner.h"

namespace ws::contract {

class ReferenceProvisioner final : public Provisioner {
 public:
  /// An unwired reference answers backend_unavailable everywhere, as the contract asks.
  explicit ReferenceProvisioner(bool wired = true) : wired_(wired) {}

  std::string name() const override { return "reference"; }
  Result<StartResult> start(const WorkspaceConfig& config) override;
  Result<> stop(const std::string& workspace_id) override;
  Liveness isRunning(const std::string& workspace_id) override;
  Result<std::string> bootLog(const std::string& workspace_id) override;
  Result<ExecResult> exec(const std::string& workspace_id, const std::vector<std::string>& argv,
                          const std::string& stdin_data) override;
  Result<std::string> readArchive(const std::string& workspace_id, const std::string& path) override;
  Result<> writeArchive(const std::string& workspace_id, const std::string& path, const std::string& tar) override;
  Result<TerminalPtr> openTerminal(const std::string& workspace_id) override;
  Result<std::vector<std::string>> listManaged() override;
  Result<> removeVolumes(const std::string& workspace_id) override;

  /// The workload dies without the server being told.
  void kill(const std::string& workspace_id);

 private:
  Result<> requireRunning(const std::string& workspace_id) const;

  const bool wired_;
  mutable std::mutex mutex_;
  std::set<std::string> running_;
  std::map<std::string, std::map<std::string, std::string>> files_;  ///< id -> absolute path -> content
  std::map<std::string, std::string> boot_logs_;
};

}  // namespace ws::contract
