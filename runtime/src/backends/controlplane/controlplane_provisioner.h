#pragma once
// The control-plane backend: one cloud instance per workspace, driven through the control
// plane's HTTP API (runtime-spec section 3) plus this product's extensions (config files at
// provision, exec, archives, console, instance listing; docs/control-plane-api.md).

#include <chrono>
#include <functional>
#include <string>

#include "ws/provisioner.h"

namespace ws::controlplane {

struct ControlPlaneConfig {
  std::string base_url;         ///< CP_PROVISION_URL (then MOLECULE_CP_URL); http://host:port
  std::string org_id;           ///< MOLECULE_ORG_ID, sent as org_id
  std::string shared_secret;    ///< MOLECULE_CP_SHARED_SECRET: Bearer for /cp/workspaces/*
  std::string admin_token;      ///< ADMIN_TOKEN: X-Molecule-Admin-Token on every call
  std::string admin_api_token;  ///< CP_ADMIN_API_TOKEN (else the shared secret): Bearer for /cp/admin/*
  std::chrono::milliseconds timeout{120000};        ///< provision, deprovision, exec, archives
  std::chrono::milliseconds status_timeout{10000};  ///< status and console
};

/// Response body caps, as the reference client reads them.
inline constexpr std::size_t kMaxResponseBytes = 64 * 1024;
inline constexpr std::size_t kMaxConsoleBytes = 256 * 1024;
inline constexpr std::size_t kMaxArchiveBytes = 64u << 20;

/// Resolves the backend instance of a workspace from the database ("" when it has none).
using InstanceLookup = std::function<Result<std::string>(const std::string& workspace_id)>;

class ControlPlaneProvisioner final : public Provisioner {
 public:
  /// An empty base URL leaves the client unwired: every method answers backend_unavailable.
  ControlPlaneProvisioner(ControlPlaneConfig config, InstanceLookup lookup);

  std::string name() const override { return "controlplane"; }
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

  struct Response {
    int status = 0;
    std::string body;
  };
  /// One HTTP exchange with the control plane (public for request-level tests).
  Result<Response> send(const std::string& method, const std::string& target, const std::string& body,
                        bool admin, std::size_t cap, std::chrono::milliseconds timeout,
                        const std::string& content_type = "application/json") const;

 private:
  Result<std::string> instanceOf(const std::string& workspace_id) const;
  std::string instancePath(const std::string& workspace_id, const std::string& suffix, const std::string& instance) const;

  ControlPlaneConfig config_;
  InstanceLookup lookup_;
  std::string host_;
  std::string port_;
  std::string base_path_;
};

}  // namespace ws::controlplane
