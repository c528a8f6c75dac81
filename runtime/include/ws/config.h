#pragma once
// Server configuration: embedded defaults, overridden by environment variables (reference
// names), overridden by command-line flags.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace ws {

struct ServerConfig {
  std::string bind_address = "127.0.0.1";  ///< BIND_ADDRESS: loopback unless the operator opens it.
  std::uint16_t port = 8080;                ///< PORT / --port; 0 picks a free port.
  std::string db_path = "var/workspace.db"; ///< --db
  std::string database_url;                 ///< DATABASE_URL / --database-url: PostgreSQL instead of db_path.
  std::string port_file;                    ///< --port-file: write the bound port here.
  unsigned threads = 0;                     ///< --threads; 0 = one per core.
  std::string admin_token;                  ///< ADMIN_TOKEN; unset: read or created at admin_token_file
  std::string admin_token_file;             ///< Where a generated admin token lives (<db>.admin-token).
  std::string secrets_encryption_key;       ///< SECRETS_ENCRYPTION_KEY (environment only)
  std::string environment;                  ///< MOLECULE_ENV: dev | development | prod | ...
  bool allow_loopback_agents = false;       ///< ALLOW_LOOPBACK_AGENT_URLS / --allow-loopback-agents
  bool allow_privileged = false;  ///< ALLOW_PRIVILEGED_WORKSPACES: tiers 3/4 privileged, tier 4 gets the engine socket
  std::string workspace_dir_root;  ///< WORKSPACE_DIR_ROOT: host directories workspaces may mount; unset: none
  std::string platform_url;                 ///< PLATFORM_URL handed to agents.
  /// CORS_ORIGINS: origins whose pages may call the API with credentials ("*": any, without).
  std::vector<std::string> cors_origins{"http://localhost:3000", "http://localhost:3001"};
  /// ALLOWED_HOSTS: Host names answered besides addresses, localhost, the platform URL's and the
  /// CORS origins' hosts ("*": any). Others get 421, which stops DNS-rebinding pages.
  std::vector<std::string> allowed_hosts;
  std::size_t body_limit = 1 << 20;         ///< --body-limit bytes (413 beyond).
  std::chrono::seconds io_timeout{30};      ///< Per-read and per-write timeout.
  std::chrono::seconds liveness_ttl{180};   ///< LIVENESS_TTL_SECONDS: heartbeat silence -> offline.
  std::chrono::seconds provision_timeout{600};  ///< PROVISION_TIMEOUT_SECONDS.
  /// LEASE_TTL_SECONDS: how long a replica's job lease outlives its last renewal (PostgreSQL),
  /// so longer than the slowest job's period (the orphan sweep's 60 s).
  std::chrono::seconds lease_ttl{150};
  std::chrono::milliseconds sweep_interval{5000};  ///< SWEEP_INTERVAL_MS for the in-process sweeps.
  std::chrono::seconds health_sweep_interval{15};   ///< HEALTH_SWEEP_SECONDS: backend liveness.
  std::chrono::seconds orphan_sweep_interval{60};   ///< ORPHAN_SWEEP_SECONDS: reap unowned resources.
  std::chrono::seconds hibernation_sweep_interval{120};  ///< HIBERNATION_SWEEP_SECONDS: idle hibernation.
  int activity_retention_days = 7;                   ///< ACTIVITY_RETENTION_DAYS; 0 keeps activity forever.
  std::chrono::hours activity_cleanup_interval{6};   ///< ACTIVITY_CLEANUP_INTERVAL_HOURS.
  std::chrono::seconds mcp_ping_interval{30};  ///< MCP_PING_SECONDS: silence on an MCP stream before a ping.
  std::string log_level = "info";
  std::string templates_dir = "templates";  ///< TEMPLATES_DIR: workspace templates, one directory each
  std::string log_format = "text";  ///< text or json (one object per line)
  std::string org_templates_dir = "templates/org";  ///< ORG_TEMPLATES_DIR: where POST /org/import {dir} looks
  std::string plugins_dir = "plugins";  ///< PLUGIN_REGISTRY_DIR: the plugin registry (one directory per plugin)

  // Backends.
  std::string backend = "auto";  ///< --backend: auto | docker | controlplane | none.
  std::string docker_host;       ///< DOCKER_HOST (default unix:///var/run/docker.sock).
  std::string workspace_image = "molecule-local/workspace-agent:dev";  ///< WORKSPACE_IMAGE
  std::map<std::string, std::string> runtime_images;  ///< WORKSPACE_IMAGE_<RUNTIME>
  /// RUNTIME_IMAGE_PATTERN: the image of each of the reference's runtimes, "{runtime}" replaced
  /// ("reference": the reference's names); empty: WORKSPACE_IMAGE for every runtime.
  std::string runtime_image_pattern;
  std::string network_mode = "host";  ///< WORKSPACE_NETWORK_MODE: host | bridge
  std::string instance_id = "default";  ///< PLATFORM_INSTANCE_ID: labels this server's resources
  std::string org_id;              ///< MOLECULE_ORG_ID: set means a control-plane tenant
  std::string cp_url;              ///< CP_PROVISION_URL, then MOLECULE_CP_URL
  std::string cp_shared_secret;    ///< MOLECULE_CP_SHARED_SECRET, then PROVISION_SHARED_SECRET
  std::string cp_admin_api_token;  ///< CP_ADMIN_API_TOKEN (else the shared secret)
  std::chrono::seconds cp_timeout{120};        ///< CP_TIMEOUT_SECONDS: provision and other calls
  std::chrono::seconds cp_status_timeout{10};  ///< CP_STATUS_TIMEOUT_SECONDS: status and console

  /// Explicit development mode: the test-token route, agents on loopback.
  bool devMode() const { return environment == "dev" || environment == "development"; }
  bool production() const { return environment == "prod" || environment == "production"; }
};

}  // namespace ws
