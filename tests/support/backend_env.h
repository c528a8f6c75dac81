#pragma once
// The real backends as test environments: the Docker backend on a real Docker Engine
// (./tools/test starts a private one when none answers, and builds the agent image) and the
// control-plane backend on cp-emulator. Each gives the server arguments that select it, a
// direct Provisioner on the same environment, and ways to look at (or break) workloads from
// outside the server. Used by the contract suites and the backend fault tests.

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "server_process.h"
#include "ws/provisioner.h"

namespace ws::docker {
class EngineClient;
}

namespace ws::test {

inline const std::string kBackendAdmin = "backend-admin-token";

class BackendEnv {
 public:
  /// Turns on the run's state file (support/resource_journal.h): what follows is recorded.
  BackendEnv();
  virtual ~BackendEnv() = default;
  virtual std::vector<std::string> serverArgs() = 0;
  virtual std::map<std::string, std::string> serverEnv() { return {{"ADMIN_TOKEN", kBackendAdmin}}; }
  /// A Provisioner on this environment, as the server would build it.
  virtual Provisioner& provisioner() = 0;
  /// The same backend with no client wired.
  virtual std::unique_ptr<Provisioner> unwired() = 0;
  /// Whether the workspace's workload (container / instance) is up.
  virtual bool workloadUp(const std::string& id) = 0;
  /// Whether any storage of the workspace survives (volumes).
  virtual bool storageLeft(const std::string& id) = 0;
  /// Whether the backend itself says the workload is gone: no container at all (not merely an
  /// exited one), no instance short of terminated.
  virtual bool workloadGone(const std::string& id) = 0;
  /// Removes the workload without telling the server.
  virtual void killBehindItsBack(const std::string& id) = 0;
  /// Ends the workload's processes and leaves the workload (an exited container, a stopped
  /// instance), as a crash would.
  virtual void crashBehindItsBack(const std::string& id) = 0;
  /// Starts a labelled workload for a workspace the server never heard of.
  virtual void startOrphan(const std::string& ghost) = 0;
  virtual std::string execIn(const std::string& id, const std::vector<std::string>& argv) = 0;
  /// Docker keeps /workspace in a volume across restarts; control-plane instances are stateless.
  virtual bool keepsWorkspaceData() const = 0;
  /// Names in the run's state file what starting workspace `id` will create.
  virtual void recordWorkload(const std::string& id) = 0;
};

/// A Provisioner that records in the state file what each start will create, then starts it.
class RecordingProvisioner final : public Provisioner {
 public:
  RecordingProvisioner(BackendEnv& env, std::unique_ptr<Provisioner> inner) : env_(env), inner_(std::move(inner)) {}
  std::string name() const override { return inner_->name(); }
  Result<StartResult> start(const WorkspaceConfig& c) override {
    env_.recordWorkload(c.workspace_id);
    return inner_->start(c);
  }
  Result<> stop(const std::string& id) override { return inner_->stop(id); }
  Liveness isRunning(const std::string& id) override { return inner_->isRunning(id); }
  Result<std::string> bootLog(const std::string& id) override { return inner_->bootLog(id); }
  Result<ExecResult> exec(const std::string& id, const std::vector<std::string>& argv, const std::string& in) override {
    return inner_->exec(id, argv, in);
  }
  Result<std::string> readArchive(const std::string& id, const std::string& path) override {
    return inner_->readArchive(id, path);
  }
  Result<> writeArchive(const std::string& id, const std::string& path, const std::string& tar) override {
    return inner_->writeArchive(id, path, tar);
  }
  Result<TerminalPtr> openTerminal(const std::string& id) override { return inner_->openTerminal(id); }
  Result<std::vector<std::string>> listManaged() override { return inner_->listManaged(); }
  Result<> removeVolumes(const std::string& id) override { return inner_->removeVolumes(id); }

 private:
  BackendEnv& env_;
  std::unique_ptr<Provisioner> inner_;
};

class DockerEnv : public BackendEnv {
 public:
  /// Throws when no engine answers or the agent image is missing.
  DockerEnv();
  ~DockerEnv() override;
  std::vector<std::string> serverArgs() override;
  std::map<std::string, std::string> serverEnv() override;
  Provisioner& provisioner() override { return *provisioner_; }
  std::unique_ptr<Provisioner> unwired() override;
  bool workloadUp(const std::string& id) override;
  bool storageLeft(const std::string& id) override;
  bool workloadGone(const std::string& id) override;
  void killBehindItsBack(const std::string& id) override;
  void crashBehindItsBack(const std::string& id) override;
  void startOrphan(const std::string& ghost) override;
  std::string execIn(const std::string& id, const std::vector<std::string>& argv) override;
  bool keepsWorkspaceData() const override { return true; }
  void recordWorkload(const std::string& id) override;

 private:
  std::shared_ptr<docker::EngineClient> engine_;
  std::string instance_;
  std::unique_ptr<Provisioner> provisioner_;
};

/// The Swarm backend on the engine at DOCKER_HOST, which must be a swarm manager (./tools/test
/// initialises a single-node swarm on its private engine: ensure_swarm in tools/lib/engine.sh).
class SwarmEnv : public BackendEnv {
 public:
  /// Throws when no engine answers, it is not a swarm manager, or the agent image is missing.
  SwarmEnv();
  ~SwarmEnv() override;
  std::vector<std::string> serverArgs() override;
  std::map<std::string, std::string> serverEnv() override;
  Provisioner& provisioner() override { return *provisioner_; }
  std::unique_ptr<Provisioner> unwired() override;
  bool workloadUp(const std::string& id) override;
  bool storageLeft(const std::string& id) override;
  bool workloadGone(const std::string& id) override;
  /// Removes the workspace's service.
  void killBehindItsBack(const std::string& id) override;
  /// Scales the service to zero: the service stays, its task ends.
  void crashBehindItsBack(const std::string& id) override;
  void startOrphan(const std::string& ghost) override;
  std::string execIn(const std::string& id, const std::vector<std::string>& argv) override;
  bool keepsWorkspaceData() const override { return true; }
  void recordWorkload(const std::string& id) override;

  /// The id of the workspace's task container on this engine ("" when none runs), and of its service.
  std::string taskContainer(const std::string& id);
  std::string serviceId(const std::string& id);
  docker::EngineClient& engine() { return *engine_; }

 private:
  std::shared_ptr<docker::EngineClient> engine_;
  std::string instance_;
  std::unique_ptr<Provisioner> provisioner_;
};

class ControlPlaneEnv : public BackendEnv {
 public:
  ControlPlaneEnv();
  std::vector<std::string> serverArgs() override;
  Provisioner& provisioner() override { return *provisioner_; }
  std::unique_ptr<Provisioner> unwired() override;
  bool workloadUp(const std::string& id) override { return !liveInstance(id).empty(); }
  bool storageLeft(const std::string& id) override { return workloadUp(id); }  // storage ends with the instance
  bool workloadGone(const std::string& id) override;
  void killBehindItsBack(const std::string& id) override;
  void crashBehindItsBack(const std::string& id) override;
  void startOrphan(const std::string& ghost) override;
  std::string execIn(const std::string& id, const std::vector<std::string>& argv) override;
  bool keepsWorkspaceData() const override { return false; }
  void recordWorkload(const std::string& id) override;

  CpEmulatorProcess& emulator() { return emulator_; }

 private:
  std::string liveInstance(const std::string& id);
  /// How tools/contract-sweep reaches this emulator and this run's org on it.
  nlohmann::json emulatorRecord() const;
  CpEmulatorProcess emulator_;
  std::string org_;
  std::unique_ptr<Provisioner> provisioner_;
};

/// Polls GET /workspaces/:id until its status is `want` or `limit` passes; the last status seen.
std::string waitForStatus(HttpClient& c, const std::string& id, const std::string& want, std::chrono::seconds limit);
}  // namespace ws::test
