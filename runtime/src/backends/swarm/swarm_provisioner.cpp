#include "backends/swarm/swarm_provisioner.h"

#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>
#include <spdlog/spdlog.h>

#include <set>
#include <thread>

#include "core/tar.h"
#include "core/util.h"
#include "parity/parity.h"

namespace ws::swarm {
namespace {

using docker::kInstanceLabel;
using docker::kManagedLabel;
using docker::kWorkspaceLabel;

using nlohmann::json;
using namespace std::chrono_literals;

constexpr const char* kServiceLabel = "com.docker.swarm.service.name";  // set by the engine on task containers
constexpr std::int64_t kMiB = 1 << 20;

Error unwired() { return makeError(Errc::backend_unavailable, "swarm backend: no engine client is wired"); }

std::string encode(const std::string& s) { return boost::urls::encode(s, boost::urls::unreserved_chars); }

json labels(const std::string& workspace_id, const std::string& instance) {
  PARITY_IMPL(contract_cleanup, swarm, "every service, secret and volume carries molecule.platform.instance: tools/contract-sweep removes a dead run's by it");
  return {{kManagedLabel, "true"}, {kInstanceLabel, instance}, {kWorkspaceLabel, workspace_id}};
}

json filter(const std::string& key, const std::vector<std::string>& values) { return {{key, values}}; }

// Task states on the way to running: the engine is (re)scheduling the workspace.
bool starting(const std::string& state) {
  static const std::set<std::string> kStates{"new",      "allocated", "pending", "assigned",
                                             "accepted", "preparing", "ready",   "starting"};
  return kStates.contains(state);
}

std::string taskState(const json& t) { return t.value("/Status/State"_json_pointer, std::string()); }
std::string desiredState(const json& t) { return t.value("DesiredState", std::string()); }

// The Docker backend's tier limits (runtime-spec 2.4) as service resources and placement. Swarm
// services cannot run privileged, so tiers 3 and 4 get their resources only, as on Docker when
// ALLOW_PRIVILEGED_WORKSPACES is off. A node labelled molecule.tier<N>=deny takes no tier-N task.
void applyTier(json& task, json& container, int tier, int host_cpus) {
  const auto cpus = [&](int n) { return static_cast<std::int64_t>(std::min(n, std::max(host_cpus, 1))) * 1'000'000'000; };
  std::int64_t memory = 512 * kMiB, nano = cpus(1);
  if (tier == 1) {
    container["ReadOnly"] = true;
    container["Mounts"].push_back({{"Type", "tmpfs"}, {"Target", "/tmp"}, {"TmpfsOptions", {{"SizeBytes", 64 * kMiB}}}});
    memory = 0, nano = 0;
  } else if (tier == 3) {
    memory = 2048 * kMiB, nano = cpus(2);
  } else if (tier == 4) {
    memory = 4096 * kMiB, nano = cpus(4);
  }
  json limits = json::object();
  if (memory) limits["MemoryBytes"] = memory;
  if (nano) limits["NanoCPUs"] = nano;
  task["Resources"] = {{"Limits", limits}};
  task["Placement"] = {{"Constraints", {"node.platform.os==linux", "node.labels.molecule.tier" + std::to_string(tier) + "!=deny"}}};
}

}  // namespace

std::string serviceName(const std::string& id) { return "ws-" + id; }

json serviceSpec(const WorkspaceConfig& c, const SwarmOptions& o, int host_port, int host_cpus,
                 const std::string& network_id, const std::string& secret_id, const std::string& secret_name) {
  const std::string port = std::to_string(host_port);
  std::vector<std::string> env{
      "WORKSPACE_ID=" + c.workspace_id, "WORKSPACE_CONFIG_PATH=/configs", "PLATFORM_URL=" + c.platform_url,
      "MOLECULE_URL=" + c.platform_url, "TIER=" + std::to_string(c.tier),   "PLUGINS_DIR=/plugins",
      "PYTHONPATH=/app",                "AGENT_PORT=" + port,                "AGENT_HOST=127.0.0.1",
      "AGENT_URL=http://127.0.0.1:" + port, std::string(kConfigFileEnv) + "=" + kConfigSecretPath};
  for (const auto& [k, v] : c.env) env.push_back(k + "=" + v);
  const json owned = labels(c.workspace_id, o.docker.instance);
  const auto volume = [&](const std::string& name, const char* target) {
    return json{{"Type", "volume"}, {"Source", name}, {"Target", target}, {"VolumeOptions", {{"Labels", owned}}}};
  };
  json mounts = json::array({volume(docker::configVolumeName(c.workspace_id), "/configs")});
  if (c.tier != 1) {  // tier 1 has no /workspace, as on Docker
    if (!c.workspace_path.empty() && (c.workspace_access == "read_only" || c.workspace_access == "read_write"))
      mounts.push_back({{"Type", "bind"}, {"Source", c.workspace_path}, {"Target", "/workspace"},
                        {"ReadOnly", c.workspace_access == "read_only"}});
    else
      mounts.push_back(volume(docker::workspaceVolumeName(c.workspace_id), "/workspace"));
  }
  json container{{"Image", docker::imageFor(o.docker, c.runtime)},
                 {"Env", env},
                 {"Labels", owned},
                 {"Mounts", mounts},
                 {"StopGracePeriod", 2'000'000'000},
                 {"Secrets", {{{"SecretID", secret_id}, {"SecretName", secret_name},
                               {"File", {{"Name", "molecule-config.tar"}, {"UID", "0"}, {"GID", "0"}, {"Mode", 0400}}}}}}};
  json task{{"RestartPolicy", {{"Condition", "any"}, {"Delay", 100'000'000}}},  // 100 ms: come back at once
            {"Networks", {{{"Target", network_id}}}}};
  applyTier(task, container, c.tier, host_cpus);
  task["ContainerSpec"] = container;
  return {{"Name", serviceName(c.workspace_id)},
          {"Labels", owned},
          {"TaskTemplate", task},
          {"Mode", {{"Replicated", {{"Replicas", 1}}}}}};
}

SwarmProvisioner::SwarmProvisioner(docker::EngineClientPtr engine, SwarmOptions options)
    : engine_(std::move(engine)), options_(std::move(options)) {}

Result<std::string> SwarmProvisioner::hostNetworkId() {
  std::lock_guard lock(mutex_);
  if (host_network_.empty()) {
    auto n = engine_->call("GET", "/networks/host");
    if (!n) return n.error();
    host_network_ = n->value("Id", "");
  }
  return host_network_;
}

Result<StartResult> SwarmProvisioner::start(const WorkspaceConfig& c) {
  PARITY_IMPL(workspace_start, swarm, "service create: labels, injected environment, tier limits and placement, restart condition any");
  PARITY_IMPL(config_injection, swarm, "config files and .auth_token in a secret, unpacked into /configs by the entrypoint before the agent");
  PARITY_IMPL(template_recipes, swarm, "the image entrypoint is templates/default/start.sh");
  if (!engine_) return unwired();
  // A service left by an earlier start is replaced, with its secret.
  if (auto old = engine_->call("GET", "/services/" + serviceName(c.workspace_id)); old) {
    if (auto s = stop(c.workspace_id); !s) return s.error();
  }
  auto network = hostNetworkId();
  if (!network) return network.error();
  auto port = ports_.take();
  if (!port) return port.error();

  std::vector<std::pair<std::string, std::string>> files(c.config_files.begin(), c.config_files.end());
  auto tar = makeTar(filesToTarEntries(files));
  if (!tar) return tar.error();
  // Secrets are immutable: each start makes its own, named with a nonce.
  const std::string secret_name = serviceName(c.workspace_id) + "-config-" + newUuid().substr(0, 8);
  auto secret = engine_->call("POST", "/secrets/create",
                              {{"Name", secret_name}, {"Labels", labels(c.workspace_id, options_.docker.instance)},
                               {"Data", base64Encode(*tar)}});
  if (!secret) return secret.error();
  const std::string secret_id = secret->value("ID", "");

  if (c.on_address) c.on_address("http://127.0.0.1:" + std::to_string(*port));
  const json spec = serviceSpec(c, options_, *port, engine_->hostCpus(), *network, secret_id, secret_name);
  auto created = engine_->call("POST", "/services/create", spec);
  if (!created) {
    (void)engine_->call("DELETE", "/secrets/" + secret_id);
    return created.error();
  }
  // Like ContainerStart on Docker, start returns once the workload runs (exec and archives then
  // find its container); a task the engine rejects fails the start with the engine's reason.
  if (auto running = awaitRunning(c.workspace_id); !running) {
    (void)stop(c.workspace_id);
    return running.error();
  }
  return StartResult{"http://127.0.0.1:" + std::to_string(*port), ""};
}

Result<json> SwarmProvisioner::tasks(const std::string& workspace_id) {
  auto service = engine_->call("GET", "/services/" + serviceName(workspace_id));
  if (!service) return service.error();
  auto listed = engine_->call("GET", "/tasks?filters=" + encode(filter("service", {service->value("ID", "")}).dump()));
  if (!listed) return listed.error();
  json out = service->value("/Spec/Mode/Replicated/Replicas"_json_pointer, 1) == 0 ? json::array() : *listed;  // scaled to zero: none
  return Result<json>(boost::system::in_place_value, std::move(out));
}

Result<> SwarmProvisioner::awaitRunning(const std::string& workspace_id) {
  const auto deadline = std::chrono::steady_clock::now() + options_.start_timeout;
  std::string last_error;
  while (std::chrono::steady_clock::now() < deadline) {
    auto listed = tasks(workspace_id);
    if (!listed && listed.error().code == Errc::not_found)  // a stop (a delete) overtook this start
      return makeError(Errc::conflict, "swarm: workspace " + workspace_id + " was stopped while it started");
    if (!listed) return listed.error();
    for (const auto& t : *listed) {
      const std::string state = taskState(t);
      if (state == "running" && desiredState(t) == "running") return {};
      const std::string err = t.value("/Status/Err"_json_pointer, std::string());
      if (state == "rejected") return makeError(Errc::backend_error, "swarm rejected the task of " + workspace_id + ": " + err);
      if (state == "failed" && !err.empty()) last_error = err;
    }
    std::this_thread::sleep_for(50ms);
  }
  return makeError(Errc::timeout, "swarm: the task of " + workspace_id + " did not run in time" +
                                      (last_error.empty() ? "" : ": " + last_error));
}

Result<> SwarmProvisioner::awaitContainersGone(const std::string& workspace_id) {
  const std::string q = "/containers/json?all=1&filters=" + encode(filter("label", {std::string(kServiceLabel) + "=" + serviceName(workspace_id)}).dump());
  for (int i = 0; i < 300; ++i) {
    auto listed = engine_->call("GET", q);
    if (!listed) return listed.error();
    if (listed->empty()) return {};
    std::this_thread::sleep_for(50ms);
  }
  return makeError(Errc::timeout, "swarm: the containers of " + serviceName(workspace_id) + " are still there");
}

Result<> SwarmProvisioner::stop(const std::string& workspace_id) {
  PARITY_IMPL(workspace_stop, swarm, "removes the service, waits for the engine to remove its containers, then its config secrets; a missing service counts as stopped");
  if (!engine_) return unwired();
  auto r = engine_->call("DELETE", "/services/" + serviceName(workspace_id));
  if (!r && r.error().code != Errc::not_found) return r.error();
  // What follows (removing the volumes, a new start on the same port) needs the task gone.
  if (auto gone = awaitContainersGone(workspace_id); !gone) return gone.error();
  auto secrets = engine_->call("GET", "/secrets?filters=" + encode(ownedBy(workspace_id).dump()));
  if (!secrets) return secrets.error();
  for (const auto& s : *secrets) {
    auto d = engine_->call("DELETE", "/secrets/" + s.value("ID", ""));
    if (!d && d.error().code != Errc::not_found) return d.error();
  }
  return {};
}

Liveness SwarmProvisioner::isRunning(const std::string& workspace_id) {
  PARITY_IMPL(a2a_liveness, swarm, "the service's tasks: a running task, or one the engine is rescheduling; alive when the engine is uncertain");
  if (!engine_) return {true, unwired()};
  auto listed = tasks(workspace_id);
  if (!listed) {
    if (listed.error().code == Errc::not_found) return {false, std::nullopt};
    return {true, listed.error()};
  }
  // A task on its way back (its container died, the engine restarts it) counts as running:
  // rescheduling is the engine's job, so the server's restart sweep leaves it alone.
  for (const auto& t : *listed) {
    const std::string desired = desiredState(t), state = taskState(t);
    if (desired == "running" && state == "running") return {true, std::nullopt};
    if ((desired == "running" || desired == "ready") && starting(state)) return {true, std::nullopt};
  }
  return {false, std::nullopt};
}

Result<std::string> SwarmProvisioner::bootLog(const std::string& workspace_id) {
  PARITY_IMPL(boot_log, swarm, "the latest task container's logs on this node, else the service logs from the task's node");
  if (!engine_) return unwired();
  // The local container's logs are there at once; the service logs (gathered from the nodes by
  // the swarm's log broker) can lag behind a task that has only just started.
  std::string target = "/services/" + serviceName(workspace_id) + "/logs";
  const json f = filter("label", {std::string(kServiceLabel) + "=" + serviceName(workspace_id)});
  if (auto local = engine_->call("GET", "/containers/json?all=1&filters=" + encode(f.dump())); local && !local->empty())
    target = "/containers/" + (*local)[0].value("Id", "") + "/logs";
  auto r = engine_->request("GET", target + "?stdout=1&stderr=1&timestamps=0&tail=2000");
  if (!r) return r.error();
  if (r->status == 404) return makeError(Errc::not_found, "no service for workspace " + workspace_id);
  if (r->status != 200) return makeError(Errc::backend_error, "swarm service logs: " + r->message());
  return docker::EngineClient::demultiplex(r->body).combined;
}

Result<std::string> SwarmProvisioner::taskContainer(const std::string& workspace_id) {
  const json f{{"label", {std::string(kServiceLabel) + "=" + serviceName(workspace_id)}}, {"status", {"running"}}};
  auto listed = engine_->call("GET", "/containers/json?filters=" + encode(f.dump()));
  if (!listed) return listed.error();
  if (!listed->empty()) return (*listed)[0].value("Id", "");
  // No container here: say whether the task runs on another node (out of this engine's reach).
  if (auto t = tasks(workspace_id)) {
    auto info = engine_->call("GET", "/info");
    const std::string here = info ? info->value("/Swarm/NodeID"_json_pointer, std::string()) : "";
    for (const auto& task : *t)
      if (taskState(task) == "running" && task.value("NodeID", "") != here)
        return makeError(Errc::unsupported, "the task of workspace " + workspace_id + " runs on swarm node " +
                                                task.value("NodeID", "") + "; exec, archives and terminals reach only tasks on this engine's node");
  }
  return makeError(Errc::not_found, "no running task for workspace " + workspace_id);
}

Result<ExecResult> SwarmProvisioner::exec(const std::string& workspace_id, const std::vector<std::string>& argv,
                                          const std::string& stdin_data) {
  PARITY_IMPL(exec_command, swarm, "Engine exec in the task's container on this engine's node (any task on a single-node swarm)");
  if (!engine_) return unwired();
  if (argv.empty()) return makeError(Errc::invalid_argument, "exec needs a command");
  auto container = taskContainer(workspace_id);
  if (!container) return container.error();
  auto created = engine_->call("POST", "/containers/" + *container + "/exec",
                               {{"AttachStdin", !stdin_data.empty()}, {"AttachStdout", true}, {"AttachStderr", true},
                                {"Tty", false}, {"Cmd", argv}});
  if (!created) return created.error();
  const std::string id = created->value("Id", "");
  auto output = engine_->startExec(id, stdin_data, false, options_.docker.exec_timeout);
  if (!output) return output.error();
  auto inspect = engine_->call("GET", "/exec/" + id + "/json");
  if (!inspect) return inspect.error();
  return ExecResult{inspect->value("ExitCode", -1), output->out + output->err};
}

namespace {

class SwarmTerminal final : public Terminal {
 public:
  explicit SwarmTerminal(std::unique_ptr<docker::EngineClient::RawStream> s) : stream_(std::move(s)) {}
  Result<std::string> read() override { return stream_->read(); }
  Result<> write(std::string_view input) override { return stream_->write(input); }
  void close() override { stream_->shutdown(); }

 private:
  std::unique_ptr<docker::EngineClient::RawStream> stream_;
};

}  // namespace

Result<TerminalPtr> SwarmProvisioner::openTerminal(const std::string& workspace_id) {
  PARITY_IMPL(terminal_session, swarm, "Engine exec with a TTY in the task's container on this engine's node, bridged to the WebSocket");
  if (!engine_) return unwired();
  auto container = taskContainer(workspace_id);
  if (!container) return container.error();
  auto created = engine_->call("POST", "/containers/" + *container + "/exec",
                               {{"AttachStdin", true}, {"AttachStdout", true}, {"AttachStderr", true}, {"Tty", true},
                                {"Env", {"TERM=xterm"}}, {"Cmd", {"/bin/sh"}}});
  if (!created) return created.error();
  auto stream = engine_->startInteractiveExec(created->value("Id", ""));
  if (!stream) return stream.error();
  return TerminalPtr(std::make_shared<SwarmTerminal>(std::move(*stream)));
}

Result<std::string> SwarmProvisioner::readArchive(const std::string& workspace_id, const std::string& path) {
  PARITY_IMPL(archive_transfer, swarm, "GET /containers/{id}/archive on the task's container");
  if (!engine_) return unwired();
  auto container = taskContainer(workspace_id);
  if (!container) return container.error();
  auto r = engine_->request("GET", "/containers/" + *container + "/archive?path=" + encode(path));
  if (!r) return r.error();
  if (r->status == 404) return makeError(Errc::not_found, "no such path or workspace: " + path);
  if (r->status != 200) return makeError(Errc::backend_error, "swarm archive read: " + r->message());
  return std::move(r->body);
}

Result<> SwarmProvisioner::writeArchive(const std::string& workspace_id, const std::string& path, const std::string& tar) {
  PARITY_IMPL(archive_transfer, swarm, "PUT /containers/{id}/archive on the task's container");
  if (!engine_) return unwired();
  auto container = taskContainer(workspace_id);
  if (!container) return container.error();
  auto r = engine_->request("PUT", "/containers/" + *container + "/archive?path=" + encode(path), tar, "application/x-tar");
  if (!r) return r.error();
  if (r->status == 404) return makeError(Errc::not_found, "no such directory or workspace: " + path);
  if (r->status != 200) return makeError(Errc::backend_error, "swarm archive write: " + r->message());
  return {};
}

Result<std::vector<std::string>> SwarmProvisioner::listManaged() {
  PARITY_IMPL(orphan_sweep, swarm, "lists services labelled managed by this server instance");
  if (!engine_) return unwired();
  const json f = filter("label", {std::string(kManagedLabel) + "=true", std::string(kInstanceLabel) + "=" + options_.docker.instance});
  auto r = engine_->call("GET", "/services?filters=" + encode(f.dump()));
  if (!r) return r.error();
  std::vector<std::string> out;
  for (const auto& s : *r) {
    const auto l = s.value("/Spec/Labels"_json_pointer, json::object());
    if (l.is_object() && l.contains(kWorkspaceLabel)) out.push_back(l[kWorkspaceLabel]);
  }
  return out;
}

Result<> SwarmProvisioner::removeVolumes(const std::string& workspace_id) {
  PARITY_IMPL(workspace_delete, swarm, "removes the config and workspace volumes on this engine's node");
  if (!engine_) return unwired();
  std::set<std::string> volumes{docker::configVolumeName(workspace_id), docker::workspaceVolumeName(workspace_id)};
  auto labelled = engine_->call("GET", "/volumes?filters=" + encode(ownedBy(workspace_id).dump()));
  if (!labelled) return labelled.error();
  for (const auto& v : labelled->value("Volumes", json::array()))
    if (v.is_object() && v.value("Name", "") != "") volumes.insert(v.value("Name", ""));
  for (const auto& v : volumes) {
    auto r = engine_->call("DELETE", "/volumes/" + encode(v) + "?force=true");
    if (!r && r.error().code != Errc::not_found) return r.error();
  }
  return {};
}

json SwarmProvisioner::ownedBy(const std::string& workspace_id) const {
  return filter("label", {std::string(kWorkspaceLabel) + "=" + workspace_id, std::string(kInstanceLabel) + "=" + options_.docker.instance});
}

}  // namespace ws::swarm
