#include "backends/docker/docker_provisioner.h"

#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>
#include <spdlog/spdlog.h>

#include <future>
#include <set>
#include <thread>

#include "core/tar.h"
#include "core/util.h"
#include "parity/parity.h"

namespace ws::docker {
namespace {

using nlohmann::json;

constexpr int kContainerPort = 8000;

Error unwired() { return makeError(Errc::backend_unavailable, "docker backend: no engine client is wired"); }

std::string encode(const std::string& s) { return boost::urls::encode(s, boost::urls::unreserved_chars); }

// The label filter for everything this server instance made.
json managedBy(const std::string& instance) {
  return {{"label", {std::string(kManagedLabel) + "=true", std::string(kInstanceLabel) + "=" + instance}}};
}

json labels(const std::string& workspace_id, const std::string& instance) {
  PARITY_IMPL(contract_cleanup, docker, "every container and volume carries molecule.platform.instance: tools/contract-sweep removes a dead run's by it");
  return {{kManagedLabel, "true"}, {kInstanceLabel, instance}, {kWorkspaceLabel, workspace_id}};
}

/// Debug-level timings of the phases of a container start, for tuning provisioning latency.
class PhaseTimer {
 public:
  explicit PhaseTimer(std::string name) : name_(std::move(name)) {}
  void lap(const char* phase) {
    const auto now = std::chrono::steady_clock::now();
    spdlog::debug("docker: {} {} took {} ms", name_, phase,
                  std::chrono::duration_cast<std::chrono::milliseconds>(now - last_).count());
    last_ = now;
  }

 private:
  std::string name_;
  std::chrono::steady_clock::time_point last_ = std::chrono::steady_clock::now();
};

// Tier limits (runtime-spec 2.4), with CPUs capped at what the host has. The privileges of
// tiers 3 and 4 (root on the host, in effect) only when the operator allows them.
void applyTier(json& host, int tier, int host_cpus, const std::string& config_bind, bool privileged) {
  const auto cpus = [&](int n) { return static_cast<std::int64_t>(std::min(n, std::max(host_cpus, 1))) * 1'000'000'000; };
  constexpr std::int64_t kMiB = 1 << 20;
  switch (tier) {
    case 1:
      host["Binds"] = json::array({config_bind});
      host["ReadonlyRootfs"] = true;
      host["Tmpfs"] = {{"/tmp", "rw,noexec,nosuid,size=64m"}};
      break;
    case 3:
      if (privileged) {
        host["Privileged"] = true;
        host["PidMode"] = "host";
      }
      host["Memory"] = 2048 * kMiB;
      host["NanoCpus"] = cpus(2);
      break;
    case 4:
      if (privileged) {
        host["Privileged"] = true;
        host["PidMode"] = "host";
        host["NetworkMode"] = "host";
        host["Binds"].push_back("/var/run/docker.sock:/var/run/docker.sock");
      }
      host["Memory"] = 4096 * kMiB;
      host["NanoCpus"] = cpus(4);
      break;
    default:  // 2 and anything unknown
      host["Memory"] = 512 * kMiB;
      host["NanoCpus"] = cpus(1);
  }
}

}  // namespace

std::string containerName(const std::string& id) { return "ws-" + id; }
std::string configVolumeName(const std::string& id) { return containerName(id) + "-configs"; }
std::string workspaceVolumeName(const std::string& id) { return "ws-" + id + "-workspace"; }


json containerSpec(const WorkspaceConfig& c, const DockerOptions& o, int host_port, int host_cpus) {
  const bool host_net = o.network_mode == "host";
  std::string platform = c.platform_url;
  if (!host_net) {  // inside a bridge network the host is host.docker.internal, not loopback
    for (const char* local : {"://127.0.0.1", "://localhost"}) {
      if (auto pos = platform.find(local); pos != std::string::npos)
        platform.replace(pos + 3, std::string_view(local).size() - 3, "host.docker.internal");
    }
  }
  const int port = host_net ? host_port : kContainerPort;
  std::vector<std::string> env{
      "WORKSPACE_ID=" + c.workspace_id, "WORKSPACE_CONFIG_PATH=/configs", "PLATFORM_URL=" + platform,
      "MOLECULE_URL=" + platform,       "TIER=" + std::to_string(c.tier),  "PLUGINS_DIR=/plugins",
      "PYTHONPATH=/app",                "AGENT_PORT=" + std::to_string(port),
      std::string("AGENT_HOST=") + (host_net ? "127.0.0.1" : "0.0.0.0"),
      "AGENT_URL=http://127.0.0.1:" + std::to_string(port)};
  for (const auto& [k, v] : c.env) env.push_back(k + "=" + v);

  const std::string config_bind = configVolumeName(c.workspace_id) + ":/configs";
  std::string workspace_bind = workspaceVolumeName(c.workspace_id) + ":/workspace";
  if (!c.workspace_path.empty() && c.workspace_access == "read_only") workspace_bind = c.workspace_path + ":/workspace:ro";
  else if (!c.workspace_path.empty() && c.workspace_access == "read_write") workspace_bind = c.workspace_path + ":/workspace";

  json host{{"Binds", {config_bind, workspace_bind}},
            {"RestartPolicy", {{"Name", "unless-stopped"}}},
            {"NetworkMode", host_net ? "host" : "bridge"}};
  json spec{{"Image", imageFor(o, c.runtime)},
            {"Env", env},
            {"Labels", labels(c.workspace_id, o.instance)}};
  if (!host_net) {
    spec["ExposedPorts"] = {{"8000/tcp", json::object()}};
    host["PortBindings"] = {{"8000/tcp", {{{"HostIp", "127.0.0.1"}, {"HostPort", ""}}}}};
    host["ExtraHosts"] = {"host.docker.internal:host-gateway"};
  }
  applyTier(host, c.tier, host_cpus, config_bind, o.allow_privileged);
  spec["HostConfig"] = host;
  return spec;
}

DockerProvisioner::DockerProvisioner(EngineClientPtr engine, DockerOptions options)
    : engine_(std::move(engine)), options_(std::move(options)) {}

const std::string& imageFor(const DockerOptions& o, const std::string& runtime) {
  auto it = o.runtime_images.find(runtime);
  return it == o.runtime_images.end() ? o.default_image : it->second;
}

Result<bool> DockerProvisioner::takesConfigEnv(const std::string& image) {
  {
    std::lock_guard lock(images_mutex_);
    if (auto it = config_env_images_.find(image); it != config_env_images_.end()) return it->second;
  }
  auto inspected = engine_->call("GET", "/images/" + encode(image) + "/json");
  if (!inspected && inspected.error().code == Errc::not_found)
    return makeError(Errc::backend_error, "image " + image + " is not on the engine (build it with tools/make-agent-image)");
  if (!inspected) return inspected.error();
  // Images made by `docker import` have "Labels": null.
  const json labels = inspected->value("/Config/Labels"_json_pointer, json::object());
  const bool takes = labels.is_object() && labels.value(kConfigEnvLabel, "") == kConfigEnv;
  std::lock_guard lock(images_mutex_);
  config_env_images_[image] = takes;
  return takes;
}

Result<> DockerProvisioner::ensureVolume(const std::string& name, const std::string& workspace_id) {
  auto r = engine_->call("POST", "/volumes/create", {{"Name", name}, {"Labels", labels(workspace_id, options_.instance)}});
  if (!r) return r.error();
  return {};
}

Result<StartResult> DockerProvisioner::start(const WorkspaceConfig& c) {
  PARITY_IMPL(workspace_start, docker, "container create: labels, injected environment, tier limits, unless-stopped");
  PARITY_IMPL(config_injection, docker, "config files and .auth_token unpacked into /configs by the entrypoint before the agent, or uploaded before ContainerStart");
  PARITY_IMPL(template_recipes, docker, "the image entrypoint is templates/default/start.sh");
  if (!engine_) return unwired();
  const std::string name = containerName(c.workspace_id);
  PhaseTimer timer(name);
  // A container of this workspace under another name (one made before workloads were named by
  // the full id) is replaced, not left running beside the new one.
  if (const std::string found = containerOf(c.workspace_id); found != name) {
    if (auto gone = engine_->call("DELETE", "/containers/" + found + "?force=true"); !gone && gone.error().code != Errc::not_found)
      return gone.error();
    std::lock_guard lock(names_mutex_);
    legacy_names_.erase(c.workspace_id);
  }
  const std::string& image = imageFor(options_, c.runtime);
  auto handover = takesConfigEnv(image);
  if (!handover) return handover.error();
  // The two volumes are created side by side: each call is its own connection.
  const bool own_workspace_volume = c.workspace_path.empty() || c.workspace_access == "none" || c.workspace_access.empty();
  auto workspace_volume = std::async(std::launch::async, [&]() -> Result<> {
    return own_workspace_volume ? ensureVolume(workspaceVolumeName(c.workspace_id), c.workspace_id) : Result<>{};
  });
  auto config_volume = ensureVolume(configVolumeName(c.workspace_id), c.workspace_id);
  if (auto v = workspace_volume.get(); !v) return v.error();
  if (!config_volume) return config_volume.error();
  timer.lap("volumes");

  int port = 0;
  if (options_.network_mode == "host") {
    auto taken = ports_.take();
    if (!taken) return taken.error();
    port = *taken;
  }
  // Config files land in /configs before the agent starts: injection is synchronous. An image
  // that unpacks them itself gets them in its environment, which saves an archive upload (the
  // slowest Engine call of a start); any other image gets the upload before ContainerStart.
  std::vector<std::pair<std::string, std::string>> files(c.config_files.begin(), c.config_files.end());
  auto tar = makeTar(filesToTarEntries(files));
  if (!tar) return tar.error();
  const bool config_in_env = *handover && tar->size() <= kMaxConfigEnvBytes;
  json spec = containerSpec(c, options_, port, engine_->hostCpus());
  if (!privileged_ok_) spec["HostConfig"].erase("Privileged");
  if (config_in_env) spec["Env"].push_back(std::string(kConfigEnv) + "=" + base64Encode(*tar));
  auto created = engine_->call("POST", "/containers/create?name=" + name, spec);
  if (!created && created.error().code == Errc::conflict) {
    // A container of the same name is a leftover of an earlier instance: replace it. Creating
    // first and removing only on a conflict saves a round trip on every ordinary start.
    if (auto gone = engine_->call("DELETE", "/containers/" + name + "?force=true"); !gone && gone.error().code != Errc::not_found)
      return gone.error();
    created = engine_->call("POST", "/containers/create?name=" + name, spec);
  }
  if (!created) return created.error();
  timer.lap("create");

  auto cleanup = [&] { (void)engine_->call("DELETE", "/containers/" + name + "?force=true"); };
  if (!config_in_env) {
    if (auto w = writeArchive(c.workspace_id, "/configs", *tar); !w) {
      cleanup();
      return w.error();
    }
    timer.lap("configs");
  }
  if (options_.network_mode == "host" && c.on_address) c.on_address("http://127.0.0.1:" + std::to_string(port));
  auto started = engine_->call("POST", "/containers/" + name + "/start");
  timer.lap("start");
  if (!started && spec["HostConfig"].value("Privileged", false) &&
      started.error().message.find("operation not permitted") != std::string::npos) {
    // This engine cannot run privileged containers: say so once, then run them unprivileged.
    spdlog::warn("docker: the engine refuses privileged containers ({}); tiers 3 and 4 run unprivileged",
                 started.error().message);
    privileged_ok_ = false;
    cleanup();
    return start(c);
  }
  if (!started) {
    cleanup();
    return started.error();
  }
  if (options_.network_mode == "host") return StartResult{"http://127.0.0.1:" + std::to_string(port), ""};
  // Bridge: the engine picked the published port; read it back.
  for (int attempt = 0; attempt < 3; ++attempt) {
    auto info = engine_->call("GET", "/containers/" + name + "/json");
    if (info) {
      const auto ports = info->value("/NetworkSettings/Ports/8000~1tcp"_json_pointer, json());
      if (ports.is_array() && !ports.empty()) return StartResult{"http://127.0.0.1:" + ports[0].value("HostPort", ""), ""};
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return StartResult{"http://" + name + ":" + std::to_string(kContainerPort), ""};
}

Result<> DockerProvisioner::stop(const std::string& workspace_id) {
  PARITY_IMPL(workspace_stop, docker, "force-removes the container; a missing one counts as stopped");
  if (!engine_) return unwired();
  // Remove, not stop: with restart policy unless-stopped a stopped container could come back.
  const std::string name = containerOf(workspace_id);
  auto r = engine_->call("DELETE", "/containers/" + name + "?force=true");
  if (!r && r.error().code == Errc::conflict) {
    // A forced removal answers 409 only when another one is under way (a delete racing the
    // orphan sweep): wait for it, so that what follows (removing the volumes) finds it gone.
    for (int i = 0; i < 100; ++i) {
      r = engine_->call("GET", "/containers/" + name + "/json");
      if (!r) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    if (r) return makeError(Errc::backend_error, "docker: container " + name + " is still being removed");
  }
  if (!r && r.error().code != Errc::not_found) return r.error();
  std::lock_guard lock(names_mutex_);
  legacy_names_.erase(workspace_id);
  return {};
}

Liveness DockerProvisioner::isRunning(const std::string& workspace_id) {
  PARITY_IMPL(a2a_liveness, docker, "container inspect State.Running; alive when the engine is uncertain");
  if (!engine_) return {true, unwired()};
  auto r = engine_->call("GET", "/containers/" + containerOf(workspace_id) + "/json");
  if (!r) {
    if (r.error().code == Errc::not_found) return {false, std::nullopt};
    return {true, r.error()};  // uncertain: never report a workspace dead on a transient failure
  }
  return {r->value("/State/Running"_json_pointer, false), std::nullopt};
}

Result<std::string> DockerProvisioner::bootLog(const std::string& workspace_id) {
  PARITY_IMPL(boot_log, docker, "container logs, stdout and stderr");
  if (!engine_) return unwired();
  auto r = engine_->request("GET", "/containers/" + containerOf(workspace_id) +
                                       "/logs?stdout=1&stderr=1&timestamps=0&tail=2000");
  if (!r) return r.error();
  if (r->status == 404) return makeError(Errc::not_found, "no container for workspace " + workspace_id);
  if (r->status != 200) return makeError(Errc::backend_error, "docker logs: " + r->message());
  return EngineClient::demultiplex(r->body).combined;
}

Result<ExecResult> DockerProvisioner::exec(const std::string& workspace_id, const std::vector<std::string>& argv,
                                           const std::string& stdin_data) {
  PARITY_IMPL(exec_command, docker, "Engine exec over the hijacked connection");
  if (!engine_) return unwired();
  if (argv.empty()) return makeError(Errc::invalid_argument, "exec needs a command");
  auto created = engine_->call("POST", "/containers/" + containerOf(workspace_id) + "/exec",
                               {{"AttachStdin", !stdin_data.empty()},
                                {"AttachStdout", true},
                                {"AttachStderr", true},
                                {"Tty", false},
                                {"Cmd", argv}});
  if (!created) return created.error();
  const std::string id = created->value("Id", "");
  auto output = engine_->startExec(id, stdin_data, false, options_.exec_timeout);
  if (!output) return output.error();
  auto inspect = engine_->call("GET", "/exec/" + id + "/json");
  if (!inspect) return inspect.error();
  return ExecResult{inspect->value("ExitCode", -1), output->out + output->err};
}

namespace {

// A shell in the container: an exec with a TTY over the Engine API's hijacked connection.
class DockerTerminal final : public Terminal {
 public:
  explicit DockerTerminal(std::unique_ptr<EngineClient::RawStream> s) : stream_(std::move(s)) {}
  Result<std::string> read() override { return stream_->read(); }
  Result<> write(std::string_view input) override { return stream_->write(input); }
  void close() override { stream_->shutdown(); }

 private:
  std::unique_ptr<EngineClient::RawStream> stream_;
};

}  // namespace

Result<TerminalPtr> DockerProvisioner::openTerminal(const std::string& workspace_id) {
  PARITY_IMPL(terminal_session, docker, "Engine exec with a TTY, bridged to the WebSocket");
  if (!engine_) return unwired();
  auto created = engine_->call("POST", "/containers/" + containerOf(workspace_id) + "/exec",
                               {{"AttachStdin", true},
                                {"AttachStdout", true},
                                {"AttachStderr", true},
                                {"Tty", true},
                                {"Env", {"TERM=xterm"}},
                                {"Cmd", {"/bin/sh"}}});
  if (!created) return created.error();
  auto stream = engine_->startInteractiveExec(created->value("Id", ""));
  if (!stream) return stream.error();
  return TerminalPtr(std::make_shared<DockerTerminal>(std::move(*stream)));
}

Result<std::string> DockerProvisioner::readArchive(const std::string& workspace_id, const std::string& path) {
  PARITY_IMPL(archive_transfer, docker, "GET /containers/{id}/archive");
  if (!engine_) return unwired();
  auto r = engine_->request("GET", "/containers/" + containerOf(workspace_id) + "/archive?path=" + encode(path));
  if (!r) return r.error();
  if (r->status == 404) return makeError(Errc::not_found, "no such path or workspace: " + path);
  if (r->status != 200) return makeError(Errc::backend_error, "docker archive read: " + r->message());
  return std::move(r->body);
}

Result<> DockerProvisioner::writeArchive(const std::string& workspace_id, const std::string& path, const std::string& tar) {
  PARITY_IMPL(archive_transfer, docker, "PUT /containers/{id}/archive");
  if (!engine_) return unwired();
  auto r = engine_->request("PUT", "/containers/" + containerOf(workspace_id) + "/archive?path=" + encode(path), tar,
                            "application/x-tar");
  if (!r) return r.error();
  if (r->status == 404) return makeError(Errc::not_found, "no such directory or workspace: " + path);
  if (r->status != 200) return makeError(Errc::backend_error, "docker archive write: " + r->message());
  return {};
}

Result<std::vector<std::string>> DockerProvisioner::listManaged() {
  PARITY_IMPL(orphan_sweep, docker, "lists containers labelled managed by this server instance");
  if (!engine_) return unwired();
  auto r = engine_->call("GET", "/containers/json?all=1&filters=" + encode(managedBy(options_.instance).dump()));
  if (!r) return r.error();
  std::vector<std::string> out;
  for (const auto& c : *r) {
    const auto labels_ = c.value("Labels", json::object());
    if (labels_.contains(kWorkspaceLabel)) {
      out.push_back(labels_[kWorkspaceLabel]);
    } else if (c.contains("Names") && !c["Names"].empty()) {  // e.g. "/ws-0123456789ab"
      std::string n = c["Names"][0];
      if (n.rfind("/ws-", 0) == 0) out.push_back(n.substr(4));
    }
  }
  return out;
}

Result<> DockerProvisioner::removeVolumes(const std::string& workspace_id) {
  PARITY_IMPL(workspace_delete, docker, "removes the config and workspace volumes");
  if (!engine_) return unwired();
  // By label, so volumes named under an earlier scheme go too.
  std::set<std::string> volumes{configVolumeName(workspace_id), workspaceVolumeName(workspace_id)};
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

json DockerProvisioner::ownedBy(const std::string& workspace_id) const {
  return {{"label", {std::string(kWorkspaceLabel) + "=" + workspace_id, std::string(kInstanceLabel) + "=" + options_.instance}}};
}

std::string DockerProvisioner::containerOf(const std::string& workspace_id) {
  std::lock_guard lock(names_mutex_);
  if (!legacy_scanned_) {
    // One listing of this server's containers, the first time a name is needed: those whose
    // name is not derived from their workspace label were made under an earlier scheme.
    auto found = engine_->call("GET", "/containers/json?all=1&filters=" + encode(managedBy(options_.instance).dump()));
    if (!found) return containerName(workspace_id);  // the caller's own call reports the engine's trouble
    for (const auto& c : *found) {
      const auto labels = c.value("Labels", json::object());
      const auto names = c.value("Names", json::array());
      if (!labels.is_object() || !labels.contains(kWorkspaceLabel) || !names.is_array() || names.empty() || !names[0].is_string())
        continue;
      const std::string id = labels.value(kWorkspaceLabel, "");
      const std::string name = names[0].get<std::string>().substr(1);  // "/ws-..."
      if (name != containerName(id)) legacy_names_[id] = name;
    }
    legacy_scanned_ = true;
  }
  auto it = legacy_names_.find(workspace_id);
  return it == legacy_names_.end() ? containerName(workspace_id) : it->second;
}

}  // namespace ws::docker
