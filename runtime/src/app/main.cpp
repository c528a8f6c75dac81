// workspace-server: provisions AI-agent workspaces and serves their lifecycle over HTTP.

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <unistd.h>

#include "app/wiring.h"
#include "backends/backend_factory.h"
#include "core/logging.h"
#include "server/process.h"
#include "server/server.h"
#include "ws/store.h"

namespace {

// --list-routes: the route table with each route's auth tier, as JSON lines, from the same
// registration the server runs (over a database in memory, no backend).
int listRoutes(ws::ServerConfig config) {
  spdlog::set_level(spdlog::level::off);
  auto opened = ws::openSqliteStore(":memory:");
  if (!opened) return 1;
  ws::Wiring wiring(config, **opened, nullptr, nullptr);
  for (const auto& r : wiring.router.table())
    std::cout << nlohmann::json{{"method", r.method}, {"pattern", r.pattern}, {"auth", ws::policyName(r.policy)},
                                {"blocking", r.blocking}}.dump()
              << "\n";
  return 0;
}

int run(ws::ServerConfig& config) {
  spdlog::debug("open file limit {}", ws::raiseOpenFileLimit());
  const bool postgres = !config.database_url.empty();
  std::string store_name;
  if (postgres) {
    // Several servers may share one PostgreSQL database: no single-instance lock.
    if (!ws::isPostgresUrl(config.database_url)) {
      spdlog::critical("DATABASE_URL must be a postgres:// or postgresql:// URL");
      return 1;
    }
    store_name = "PostgreSQL " + ws::redactDatabaseUrl(config.database_url);
  } else {
    store_name = "SQLite " + config.db_path;
    std::error_code dir_error;
    std::filesystem::create_directories(std::filesystem::path(config.db_path).parent_path(), dir_error);
  }
  auto lock = postgres ? ws::Result<int>(-1) : ws::lockDatabase(config.db_path);
  if (!lock) {
    spdlog::critical("{}", lock.error().message);
    return 1;
  }
  if (config.admin_token.empty()) {
    // No ADMIN_TOKEN: the server's own, kept beside the SQLite database (or in var/ beside a
    // PostgreSQL one), so the admin routes are never open and the operator can always read it.
    if (config.admin_token_file.empty())
      config.admin_token_file = postgres ? "var/admin-token" : config.db_path + ".admin-token";
    if (postgres) {
      std::error_code dir_error;
      std::filesystem::create_directories(std::filesystem::path(config.admin_token_file).parent_path(), dir_error);
      spdlog::warn("ADMIN_TOKEN unset: servers that share this database need the same ADMIN_TOKEN");
    }
    bool created = false;
    if (auto ok = ws::loadOrCreateSecretFile(config.admin_token_file, config.admin_token, created); !ok) {
      spdlog::critical("admin token: {}", ok.error().message);
      return 1;
    }
    spdlog::info("admin token {} {} (ADMIN_TOKEN unset)", created ? "created in" : "read from", config.admin_token_file);
  }
  auto opened = ws::openStore(postgres ? config.database_url : config.db_path);
  if (!opened) {
    spdlog::critical("cannot open database ({}): {}", store_name, opened.error().message);
    return 1;
  }
  spdlog::info("database: {}", store_name);
  ws::Store& store = **opened;
  auto backends = ws::makeBackends(config, store);
  if (!backends) {
    spdlog::critical("backend: {}", backends.error().message);
    return 1;
  }
  // Servers on one PostgreSQL database share leases and events; one on SQLite is alone.
  ws::ReplicaLinks links = ws::ReplicaLinks::local();
  if (postgres) {
    try {
      links = ws::ReplicaLinks::postgres(config.database_url, config.lease_ttl);
    } catch (const std::exception& e) {
      spdlog::critical("replicas: cannot connect for leases and events: {}", e.what());
      return 1;
    }
  }
  ws::Wiring wiring(config, store, backends->controlplane, backends->docker, std::move(links));
  auto& workspaces = wiring.workspaces;
  // Before any request can start a new one: what a previous run was sending is lost. With
  // replicas it may be another's in flight: the stalled-work sweep fails it once stale.
  if (!postgres) {
    if (auto failed = wiring.delegations.failInterrupted(); !failed)
      spdlog::error("cannot fail the delegations a previous run left in flight: {}", failed.error().message);
    else if (*failed > 0)
      spdlog::warn("{} delegation(s) were in flight when the server last stopped: failed", *failed);
  }
  if (!workspaces.secrets().encrypts()) {
    if (config.production()) {
      spdlog::critical("production needs SECRETS_ENCRYPTION_KEY (base64 of 32 bytes, or 32 raw bytes)");
      return 1;
    }
    spdlog::warn("SECRETS_ENCRYPTION_KEY is not set (or not 32 bytes): secrets are stored unencrypted");
  }
  ws::Router& router = wiring.router;

  if (!workspaces.hasProvisioner())
    spdlog::warn("no workspace backend wired: new workspaces are recorded and marked failed");

  ws::HttpServer server(config, [&router](ws::Request& req) { return router.handle(req); },
                        [&router](ws::Request& req) { return router.openTerminal(req); },
                        ws::BodyLimits{router.largestBodyLimit(), [&router](ws::Request& head) { return router.admitBody(head); }});
  server.observe([&metrics = wiring.metrics](const ws::Request& req, int status, std::chrono::steady_clock::duration elapsed) {
    metrics.httpRequest(req.method, req.route, status, elapsed);
  });
  auto port = server.start();
  if (!port) {
    spdlog::critical("{}", port.error().message);
    return 1;
  }
  if (config.platform_url.empty()) config.platform_url = "http://127.0.0.1:" + std::to_string(*port);
  if (!config.port_file.empty()) ws::writePortFile(config.port_file, *port);
  spdlog::info("workspace-server listening on {}:{} (database: {})", config.bind_address, *port, store_name);

  // Alone on SQLite, provisions left in `provisioning` were this server's previous run's. With
  // replicas they may be another's under way: the provision-timeout sweep fails them instead.
  if (!postgres) workspaces.redriveInterruptedProvisions();
  wiring.sweeper.start();

  spdlog::info("received {}, shutting down", ws::waitForShutdownSignal());
  server.stop(std::chrono::seconds(10));
  wiring.sweeper.stop();
  wiring.a2a_queue.stop();  // a drain ends after its current delivery
  workspaces.drain();
  spdlog::info("stopped cleanly");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  ws::blockShutdownSignals();

  ws::ServerConfig config;
  // The key is read from the environment only: a flag would show it in the process list.
  if (const char* key = std::getenv("SECRETS_ENCRYPTION_KEY")) config.secrets_encryption_key = key;
  CLI::App cli{"workspace-server: runs AI-agent workspaces on Docker or a control plane"};
  // Settings may also come from a file: TOML or INI, `name = value` with the flags' long names
  // (`port = 8080`, `cors-origins = ["https://canvas.example.com"]`). Flags win over the file,
  // the file over the environment.
  cli.set_config("--config", "", "Read settings from this TOML or INI file (the flags' long names as keys)");
  cli.allow_config_extras(CLI::config_extras_mode::error);  // a misspelt setting is an error, not silence
  int ttl = static_cast<int>(config.liveness_ttl.count());
  int provision_timeout = static_cast<int>(config.provision_timeout.count());
  int lease_ttl = static_cast<int>(config.lease_ttl.count());
  int io_timeout = static_cast<int>(config.io_timeout.count());
  int sweep_ms = static_cast<int>(config.sweep_interval.count());
  int health_sweep = static_cast<int>(config.health_sweep_interval.count());
  int orphan_sweep = static_cast<int>(config.orphan_sweep_interval.count());
  int hibernation_sweep = static_cast<int>(config.hibernation_sweep_interval.count());
  int cleanup_hours = static_cast<int>(config.activity_cleanup_interval.count());
  int mcp_ping = static_cast<int>(config.mcp_ping_interval.count());
  cli.add_option("--port", config.port, "Port to listen on; 0 picks a free one")->envname("PORT")->capture_default_str();
  cli.add_option("--bind", config.bind_address, "Address to listen on")->envname("BIND_ADDRESS")->capture_default_str();
  cli.add_option("--db", config.db_path, "SQLite database file")->envname("DATABASE_PATH")->capture_default_str();
  cli.add_option("--database-url", config.database_url,
                 "PostgreSQL database (postgres://user:password@host/db); when set, --db is not used")
      ->envname("DATABASE_URL");
  cli.add_option("--port-file", config.port_file, "Write the bound port to this file once listening");
  cli.add_option("--threads", config.threads, "I/O threads (0: one per core)")->envname("SERVER_THREADS");
  cli.add_option("--admin-token", config.admin_token, "Admin bearer token (unset: created in --admin-token-file)")
      ->envname("ADMIN_TOKEN");
  cli.add_option("--admin-token-file", config.admin_token_file,
                 "Where the server keeps its own admin token when ADMIN_TOKEN is unset (default <db>.admin-token, "
                 "or var/admin-token with --database-url)")
      ->envname("ADMIN_TOKEN_FILE");
  cli.add_option("--env", config.environment, "Environment: development (test-token route, loopback agents), production, ...")
      ->envname("MOLECULE_ENV");
  cli.add_flag("--allow-loopback-agents", config.allow_loopback_agents,
               "Accept agent URLs on loopback (agents on this machine)")
      ->envname("ALLOW_LOOPBACK_AGENT_URLS");
  cli.add_flag("--allow-privileged-workspaces", config.allow_privileged,
               "Run tiers 3 and 4 privileged (tier 4 with the host network and the engine socket)")
      ->envname("ALLOW_PRIVILEGED_WORKSPACES");
  cli.add_option("--workspace-dir-root", config.workspace_dir_root,
                 "Host directory under which workspace_dir mounts may sit (unset: none)")
      ->envname("WORKSPACE_DIR_ROOT");
  cli.add_option("--platform-url", config.platform_url, "URL agents use to reach this server")->envname("PLATFORM_URL");
  cli.add_option("--cors-origins", config.cors_origins, "Origins whose pages may call the API (comma-separated)")
      ->envname("CORS_ORIGINS")->delimiter(',')->capture_default_str();
  cli.add_option("--allowed-hosts", config.allowed_hosts,
                 "Host names this server answers to besides addresses and localhost (comma-separated; * for any)")
      ->envname("ALLOWED_HOSTS")->delimiter(',');
  cli.add_option("--body-limit", config.body_limit, "Request body limit in bytes")->envname("BODY_LIMIT_BYTES")->capture_default_str();
  cli.add_option("--io-timeout", io_timeout, "Seconds a client has to send a request and to take its answer")
      ->envname("IO_TIMEOUT_SECONDS")->check(CLI::PositiveNumber)->capture_default_str();
  cli.add_option("--liveness-ttl", ttl, "Seconds of heartbeat silence before offline")->envname("LIVENESS_TTL_SECONDS")->capture_default_str();
  cli.add_option("--provision-timeout", provision_timeout, "Seconds in provisioning before failed")
      ->envname("PROVISION_TIMEOUT_SECONDS")->capture_default_str();
  cli.add_option("--lease-ttl", lease_ttl,
                 "Seconds a replica's lease on a background job outlives its last renewal (PostgreSQL)")
      ->envname("LEASE_TTL_SECONDS")->check(CLI::PositiveNumber)->capture_default_str();
  cli.add_option("--sweep-interval-ms", sweep_ms, "Interval of the liveness and timeout sweeps")
      ->envname("SWEEP_INTERVAL_MS")->capture_default_str();
  cli.add_option("--health-sweep-seconds", health_sweep, "Interval of the backend health sweep")
      ->envname("HEALTH_SWEEP_SECONDS")->capture_default_str();
  cli.add_option("--orphan-sweep-seconds", orphan_sweep, "Interval of the orphan sweep")
      ->envname("ORPHAN_SWEEP_SECONDS")->capture_default_str();
  cli.add_option("--hibernation-sweep-seconds", hibernation_sweep, "Interval of the idle hibernation sweep")
      ->envname("HIBERNATION_SWEEP_SECONDS")->check(CLI::PositiveNumber)->capture_default_str();
  cli.add_option("--activity-retention-days", config.activity_retention_days, "Days activity rows are kept (0: forever)")
      ->envname("ACTIVITY_RETENTION_DAYS")->check(CLI::NonNegativeNumber)->capture_default_str();
  cli.add_option("--activity-cleanup-interval-hours", cleanup_hours, "Interval of the activity retention cleanup")
      ->envname("ACTIVITY_CLEANUP_INTERVAL_HOURS")->check(CLI::PositiveNumber)->capture_default_str();
  cli.add_option("--mcp-ping-seconds", mcp_ping, "Silence on an MCP stream (GET /workspaces/:id/mcp/stream) before a ping")
      ->envname("MCP_PING_SECONDS")->check(CLI::PositiveNumber)->capture_default_str();
  int cp_timeout = static_cast<int>(config.cp_timeout.count());
  int cp_status_timeout = static_cast<int>(config.cp_status_timeout.count());
  cli.add_option("--org-id", config.org_id, "Control-plane tenant organisation")->envname("MOLECULE_ORG_ID");
  cli.add_option("--cp-url", config.cp_url, "Control plane base URL")->envname("CP_PROVISION_URL");
  cli.add_option("--cp-shared-secret", config.cp_shared_secret, "Bearer for /cp/workspaces/*")->envname("MOLECULE_CP_SHARED_SECRET");
  cli.add_option("--cp-admin-api-token", config.cp_admin_api_token, "Bearer for /cp/admin/*")->envname("CP_ADMIN_API_TOKEN");
  cli.add_option("--cp-timeout", cp_timeout, "Seconds for control-plane calls")->envname("CP_TIMEOUT_SECONDS")->capture_default_str();
  cli.add_option("--cp-status-timeout", cp_status_timeout, "Seconds for control-plane status and console")
      ->envname("CP_STATUS_TIMEOUT_SECONDS")->capture_default_str();
  cli.add_option("--backend", config.backend, "auto, docker, swarm, controlplane or none")->envname("WORKSPACE_BACKEND")->capture_default_str();
  cli.add_option("--docker-host", config.docker_host, "Docker Engine socket (unix://...)")->envname("DOCKER_HOST");
  cli.add_option("--workspace-image", config.workspace_image, "Image for workspaces")->envname("WORKSPACE_IMAGE")->capture_default_str();
  cli.add_option("--network-mode", config.network_mode, "Workspace networking: host or bridge")
      ->envname("WORKSPACE_NETWORK_MODE")->check(CLI::IsMember({"host", "bridge"}))->capture_default_str();
  cli.add_option("--instance-id", config.instance_id, "Label for this server's backend resources (shared engines)")
      ->envname("PLATFORM_INSTANCE_ID")->capture_default_str();
  cli.add_option("--templates-dir", config.templates_dir, "Workspace templates: one directory with a config.yaml each")
      ->envname("TEMPLATES_DIR")->capture_default_str();
  cli.add_option("--runtime-image-pattern", config.runtime_image_pattern,
                 "Image of each of the reference's runtimes, {runtime} replaced; 'reference' for its names")
      ->envname("RUNTIME_IMAGE_PATTERN");
  cli.add_option("--org-templates-dir", config.org_templates_dir, "Where POST /org/import {dir} finds org templates")
      ->envname("ORG_TEMPLATES_DIR")->capture_default_str();
  cli.add_option("--plugins-dir", config.plugins_dir, "Plugin registry: one directory per plugin")
      ->envname("PLUGIN_REGISTRY_DIR")->capture_default_str();
  cli.add_option("--log-level", config.log_level, "trace, debug, info, warn, error, critical or off")
      ->envname("LOG_LEVEL")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "warning", "error", "critical", "off"}, CLI::ignore_case))
      ->capture_default_str();
  cli.add_option("--log-format", config.log_format, "text (for people) or json (one object per line, for collectors)")
      ->envname("LOG_FORMAT")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  cli.set_version_flag("--version", "workspace-server " WS_VERSION);
  bool list_routes = false;
  cli.add_flag("--list-routes", list_routes, "Print every route with its auth tier (JSON lines) and exit");
  CLI11_PARSE(cli, argc, argv);
  config.liveness_ttl = std::chrono::seconds(ttl);
  config.provision_timeout = std::chrono::seconds(provision_timeout);
  config.lease_ttl = std::chrono::seconds(lease_ttl);
  config.io_timeout = std::chrono::seconds(io_timeout);
  config.sweep_interval = std::chrono::milliseconds(sweep_ms);
  config.health_sweep_interval = std::chrono::seconds(health_sweep);
  config.cp_timeout = std::chrono::seconds(cp_timeout);
  config.cp_status_timeout = std::chrono::seconds(cp_status_timeout);
  // The reference's fallbacks for the control-plane settings.
  if (config.cp_url.empty()) config.cp_url = std::getenv("MOLECULE_CP_URL") ? std::getenv("MOLECULE_CP_URL") : "";
  if (config.cp_shared_secret.empty())
    config.cp_shared_secret = std::getenv("PROVISION_SHARED_SECRET") ? std::getenv("PROVISION_SHARED_SECRET") : "";
  config.orphan_sweep_interval = std::chrono::seconds(orphan_sweep);
  config.hibernation_sweep_interval = std::chrono::seconds(hibernation_sweep);
  config.activity_cleanup_interval = std::chrono::hours(cleanup_hours);
  config.mcp_ping_interval = std::chrono::seconds(mcp_ping);
  // WORKSPACE_IMAGE_<RUNTIME>=image picks the image of one runtime (CLAUDE_CODE -> claude-code).
  for (char** e = environ; *e; ++e) {
    const std::string kv = *e;
    constexpr std::string_view kPrefix = "WORKSPACE_IMAGE_";
    const auto eq = kv.find('=');
    if (kv.rfind(kPrefix, 0) != 0 || eq == std::string::npos) continue;
    std::string runtime = kv.substr(kPrefix.size(), eq - kPrefix.size());
    for (char& ch : runtime) ch = ch == '_' ? '-' : static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    config.runtime_images[runtime] = kv.substr(eq + 1);
  }
  const auto log_format = ws::parseLogFormat(config.log_format);  // CLI11 has checked the name
  ws::configureLogging(log_format ? *log_format : ws::LogFormat::text, config.log_level);
  if (list_routes) return listRoutes(config);
  return run(config);
}
