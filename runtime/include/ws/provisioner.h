#pragma once
// The backend interface. A backend runs workspaces somewhere (containers on a Docker Engine,
// instances behind a control plane). Handlers never call it directly: they go through the
// one-dispatcher-per-verb layer on WorkspaceService (runtime/src/service/workspace_service.h).
//
// Contracts every implementation keeps:
//  - Every method is safe on an unwired client and then returns Errc::backend_unavailable.
//  - An operation the backend truly cannot do returns Errc::unsupported, never a silent no-op.
//  - stop() is idempotent: stopping an unknown or already stopped workspace succeeds.
//  - isRunning() answers "alive" together with an error when it is uncertain, so a transient
//    backend failure never marks a workspace offline.

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ws/errors.h"

namespace ws {

/// What a backend needs to start a workspace (runtime-spec section 1.1).
struct WorkspaceConfig {
  std::string workspace_id;
  std::string runtime;
  int tier = 3;
  std::string platform_url;
  std::map<std::string, std::string> env;           ///< Secrets plus injected variables.
  std::map<std::string, std::string> config_files;  ///< Relative path -> content, into /configs.
  std::string template_path;                        ///< Host directory copied into /configs.
  std::string workspace_path;                       ///< Host directory for /workspace.
  std::string workspace_access = "none";            ///< none | read_only | read_write.
  /// Called with the agent's URL as soon as the backend knows it, before the agent can start,
  /// so that its first registration finds the address already recorded.
  std::function<void(const std::string& url)> on_address;
};

struct StartResult {
  std::string url;          ///< Where the agent will listen, when the backend knows it.
  std::string instance_id;  ///< Backend-side identity, when the backend has one.
};

struct Liveness {
  bool running = false;
  std::optional<Error> error;  ///< Set when the answer is uncertain (running is then true).
};

struct ExecResult {
  int exit_code = 0;
  std::string output;  ///< stdout followed by stderr.
};

/// An interactive shell (a TTY) inside a workspace, for one user session.
class Terminal {
 public:
  virtual ~Terminal() = default;
  /// Blocks for output; an empty string means the shell has ended.
  virtual Result<std::string> read() = 0;
  virtual Result<> write(std::string_view input) = 0;
  /// Ends the session and unblocks read(). Safe to call from any thread, more than once.
  virtual void close() = 0;
};

using TerminalPtr = std::shared_ptr<Terminal>;

class Provisioner {
 public:
  virtual ~Provisioner() = default;

  /// Short backend name used in logs and parity annotations ("docker", "controlplane").
  virtual std::string name() const = 0;

  virtual Result<StartResult> start(const WorkspaceConfig& config) = 0;
  virtual Result<> stop(const std::string& workspace_id) = 0;
  virtual Liveness isRunning(const std::string& workspace_id) = 0;
  /// Boot output: container logs or the instance's serial console.
  virtual Result<std::string> bootLog(const std::string& workspace_id) = 0;
  virtual Result<ExecResult> exec(const std::string& workspace_id,
                                  const std::vector<std::string>& argv,
                                  const std::string& stdin_data) = 0;
  /// A tar archive of `path` inside the workspace.
  virtual Result<std::string> readArchive(const std::string& workspace_id,
                                          const std::string& path) = 0;
  /// Extracts the tar archive `tar` into directory `path` inside the workspace.
  virtual Result<> writeArchive(const std::string& workspace_id, const std::string& path,
                                const std::string& tar) = 0;
  /// A shell with a TTY inside the workspace.
  virtual Result<TerminalPtr> openTerminal(const std::string& workspace_id) = 0;
  /// Workspace ids (or id prefixes) of everything this backend manages, for the orphan sweep.
  virtual Result<std::vector<std::string>> listManaged() = 0;
  virtual Result<> removeVolumes(const std::string& workspace_id) = 0;
};

using ProvisionerPtr = std::shared_ptr<Provisioner>;

}  // namespace ws
