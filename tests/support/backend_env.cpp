#include "backend_env.h"

#include <gtest/gtest.h>

#include <functional>
#include <stdexcept>
#include <thread>

#include "backends/controlplane/controlplane_provisioner.h"
#include "backends/docker/docker_provisioner.h"
#include "backends/docker/engine_client.h"
#include "backends/swarm/swarm_provisioner.h"
#include "core/util.h"
#include "resource_journal.h"

namespace ws::test {

using nlohmann::json;
using namespace std::chrono_literals;

namespace {

constexpr const char* kCpSecret = "cp-shared-secret";

json scopeLabels(const std::string& instance) {
  return {{"molecule.platform.managed", "true"}, {"molecule.platform.instance", instance}};
}

std::string dockerHost() {
  const char* h = std::getenv("DOCKER_HOST");
  return h ? h : "unix:///var/run/docker.sock";
}

// Polls `done` every 100 ms for up to 30 s.
bool eventually(const std::function<bool()>& done) {
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(100ms);
  }
  return done();
}

}  // namespace

BackendEnv::BackendEnv() { ResourceJournal::get().enable(); }

DockerEnv::DockerEnv() : instance_("test-" + newUuid().substr(0, 8)) {
  auto engine = docker::EngineClient::connect(dockerHost(), 10s);
  if (!engine) throw std::runtime_error("these tests need a Docker Engine (./tools/test starts one): " + engine.error().message);
  engine_ = *engine;
  if (!engine_->call("GET", "/images/molecule-local%2Fworkspace-agent:dev/json"))
    throw std::runtime_error("the agent image is missing: run tools/make-agent-image");
  // Everything the scenarios and their servers make here carries this instance label.
  ResourceJournal::get().record("docker-scope", {{"docker_host", dockerHost()}, {"labels", scopeLabels(instance_)}});
  docker::DockerOptions options;
  options.instance = instance_;
  provisioner_ = std::make_unique<RecordingProvisioner>(*this, std::make_unique<docker::DockerProvisioner>(engine_, options));
}

void DockerEnv::recordWorkload(const std::string& id) {
  json labels = scopeLabels(instance_);
  labels["molecule.workspace.id"] = id;
  auto& journal = ResourceJournal::get();
  journal.record("container", {{"docker_host", dockerHost()}, {"name", docker::containerName(id)}, {"labels", labels}});
  for (const auto& volume : {docker::configVolumeName(id), docker::workspaceVolumeName(id)})
    journal.record("volume", {{"docker_host", dockerHost()}, {"name", volume}, {"labels", labels}});
}

DockerEnv::~DockerEnv() {
  // Leave nothing behind, whatever the test did.
  const json filters{{"label", {"molecule.platform.instance=" + instance_}}};
  if (auto listed = engine_->call("GET", "/containers/json?all=1&filters=" + filters.dump()))
    for (const auto& c : *listed) (void)engine_->call("DELETE", "/containers/" + c["Id"].get<std::string>() + "?force=true");
  auto volumes = engine_->call("GET", "/volumes?filters=" + filters.dump());
  if (volumes && (*volumes)["Volumes"].is_array())
    for (const auto& v : (*volumes)["Volumes"]) (void)engine_->call("DELETE", "/volumes/" + v["Name"].get<std::string>() + "?force=true");
}

std::vector<std::string> DockerEnv::serverArgs() { return {"--backend", "docker", "--instance-id", instance_}; }

std::map<std::string, std::string> DockerEnv::serverEnv() {
  return {{"ADMIN_TOKEN", kBackendAdmin}, {"DOCKER_HOST", dockerHost()}};
}

std::unique_ptr<Provisioner> DockerEnv::unwired() {
  return std::make_unique<docker::DockerProvisioner>(nullptr, docker::DockerOptions{});
}

bool DockerEnv::workloadUp(const std::string& id) {
  auto c = engine_->call("GET", "/containers/" + docker::containerName(id) + "/json");
  return c && c->value("/State/Running"_json_pointer, false);
}

bool DockerEnv::storageLeft(const std::string& id) {
  return engine_->call("GET", "/volumes/" + docker::configVolumeName(id)) ||
         engine_->call("GET", "/volumes/" + docker::workspaceVolumeName(id));
}

bool DockerEnv::workloadGone(const std::string& id) {
  auto c = engine_->call("GET", "/containers/" + docker::containerName(id) + "/json");
  return !c && c.error().code == Errc::not_found;
}

void DockerEnv::killBehindItsBack(const std::string& id) {
  ASSERT_TRUE(engine_->call("DELETE", "/containers/" + docker::containerName(id) + "?force=true"));
}

void DockerEnv::crashBehindItsBack(const std::string& id) {
  // An explicit stop: the restart policy (unless-stopped) leaves the exited container alone.
  ASSERT_TRUE(engine_->call("POST", "/containers/" + docker::containerName(id) + "/stop?t=1"));
}

void DockerEnv::startOrphan(const std::string& ghost) {
  recordWorkload(ghost);
  const json spec{{"Image", "molecule-local/workspace-agent:dev"},
                  {"Entrypoint", {"/bin/sleep", "600"}},
                  {"Labels", {{"molecule.platform.managed", "true"}, {"molecule.platform.instance", instance_},
                              {"molecule.workspace.id", ghost}}},
                  {"HostConfig", {{"NetworkMode", "host"}}}};
  ASSERT_TRUE(engine_->call("POST", "/containers/create?name=" + docker::containerName(ghost), spec));
  ASSERT_TRUE(engine_->call("POST", "/containers/" + docker::containerName(ghost) + "/start"));
}

std::string DockerEnv::execIn(const std::string& id, const std::vector<std::string>& argv) {
  auto r = provisioner_->exec(id, argv, "");
  return r ? r->output : "exec failed: " + r.error().message;
}

SwarmEnv::SwarmEnv() : instance_("test-" + newUuid().substr(0, 8)) {
  auto engine = docker::EngineClient::connect(dockerHost(), 10s);
  if (!engine) throw std::runtime_error("these tests need a Docker Engine (./tools/test starts one): " + engine.error().message);
  engine_ = *engine;
  auto info = engine_->call("GET", "/info");
  if (!info || info->value("/Swarm/LocalNodeState"_json_pointer, std::string()) != "active" ||
      !info->value("/Swarm/ControlAvailable"_json_pointer, false))
    throw std::runtime_error("the engine at " + dockerHost() + " is not a swarm manager (./tools/test runs ensure_swarm)");
  if (!engine_->call("GET", "/images/molecule-local%2Fworkspace-agent:dev/json"))
    throw std::runtime_error("the agent image is missing: run tools/make-agent-image");
  ResourceJournal::get().record("docker-scope", {{"docker_host", dockerHost()}, {"labels", scopeLabels(instance_)}});
  swarm::SwarmOptions options;
  options.docker.instance = instance_;
  provisioner_ = std::make_unique<RecordingProvisioner>(*this, std::make_unique<swarm::SwarmProvisioner>(engine_, options));
}

SwarmEnv::~SwarmEnv() {
  const json filters{{"label", {"molecule.platform.instance=" + instance_}}};
  if (auto services = engine_->call("GET", "/services?filters=" + filters.dump()))
    for (const auto& s : *services) (void)engine_->call("DELETE", "/services/" + s["ID"].get<std::string>());
  if (auto listed = engine_->call("GET", "/containers/json?all=1&filters=" + filters.dump()))
    for (const auto& c : *listed) (void)engine_->call("DELETE", "/containers/" + c["Id"].get<std::string>() + "?force=true");
  auto volumes = engine_->call("GET", "/volumes?filters=" + filters.dump());
  if (volumes && (*volumes)["Volumes"].is_array())
    for (const auto& v : (*volumes)["Volumes"]) (void)engine_->call("DELETE", "/volumes/" + v["Name"].get<std::string>() + "?force=true");
  if (auto secrets = engine_->call("GET", "/secrets?filters=" + filters.dump()))
    for (const auto& s : *secrets) (void)engine_->call("DELETE", "/secrets/" + s["ID"].get<std::string>());
}

void SwarmEnv::recordWorkload(const std::string& id) {
  json labels = scopeLabels(instance_);
  labels["molecule.workspace.id"] = id;
  auto& journal = ResourceJournal::get();
  journal.record("service", {{"docker_host", dockerHost()}, {"name", swarm::serviceName(id)}, {"labels", labels}});
  for (const auto& volume : {docker::configVolumeName(id), docker::workspaceVolumeName(id)})
    journal.record("volume", {{"docker_host", dockerHost()}, {"name", volume}, {"labels", labels}});
}

std::vector<std::string> SwarmEnv::serverArgs() { return {"--backend", "swarm", "--instance-id", instance_}; }

std::map<std::string, std::string> SwarmEnv::serverEnv() {
  return {{"ADMIN_TOKEN", kBackendAdmin}, {"DOCKER_HOST", dockerHost()}};
}

std::unique_ptr<Provisioner> SwarmEnv::unwired() {
  return std::make_unique<swarm::SwarmProvisioner>(nullptr, swarm::SwarmOptions{});
}

std::string SwarmEnv::taskContainer(const std::string& id) {
  const json f{{"label", {"com.docker.swarm.service.name=" + swarm::serviceName(id)}}, {"status", {"running"}}};
  auto listed = engine_->call("GET", "/containers/json?filters=" + f.dump());
  return listed && !listed->empty() ? (*listed)[0].value("Id", "") : "";
}

std::string SwarmEnv::serviceId(const std::string& id) {
  auto s = engine_->call("GET", "/services/" + swarm::serviceName(id));
  return s ? s->value("ID", "") : "";
}

bool SwarmEnv::workloadUp(const std::string& id) { return !taskContainer(id).empty(); }

bool SwarmEnv::storageLeft(const std::string& id) {
  return engine_->call("GET", "/volumes/" + docker::configVolumeName(id)) ||
         engine_->call("GET", "/volumes/" + docker::workspaceVolumeName(id));
}

bool SwarmEnv::workloadGone(const std::string& id) {
  auto s = engine_->call("GET", "/services/" + swarm::serviceName(id));
  const json f{{"label", {"com.docker.swarm.service.name=" + swarm::serviceName(id)}}};
  auto containers = engine_->call("GET", "/containers/json?all=1&filters=" + f.dump());
  return !s && s.error().code == Errc::not_found && containers && containers->empty();
}

void SwarmEnv::killBehindItsBack(const std::string& id) {
  // The engine stops the task after the service goes: the workload is gone once its container is.
  // Waited for by the old service's id, not its name: the server's health sweep may already have
  // made a new service of that name (what the scenario then checks).
  const std::string old = serviceId(id);
  ASSERT_FALSE(old.empty());
  ASSERT_TRUE(engine_->call("DELETE", "/services/" + old));
  ASSERT_TRUE(eventually([&] {
    const json f{{"label", {"com.docker.swarm.service.id=" + old}}};
    auto containers = engine_->call("GET", "/containers/json?all=1&filters=" + f.dump());
    return containers && containers->empty();
  }));
}

void SwarmEnv::crashBehindItsBack(const std::string& id) {
  auto s = engine_->call("GET", "/services/" + swarm::serviceName(id));
  ASSERT_TRUE(s);
  json spec = (*s)["Spec"];
  spec["Mode"]["Replicated"]["Replicas"] = 0;
  const std::string version = std::to_string((*s)["Version"]["Index"].get<std::uint64_t>());
  ASSERT_TRUE(engine_->call("POST", "/services/" + (*s)["ID"].get<std::string>() + "/update?version=" + version, spec));
}

void SwarmEnv::startOrphan(const std::string& ghost) {
  recordWorkload(ghost);
  const json labels{{"molecule.platform.managed", "true"}, {"molecule.platform.instance", instance_},
                    {"molecule.workspace.id", ghost}};
  const json spec{{"Name", swarm::serviceName(ghost)},
                  {"Labels", labels},
                  {"TaskTemplate", {{"ContainerSpec", {{"Image", "molecule-local/workspace-agent:dev"},
                                                       {"Command", {"/bin/sleep", "600"}},
                                                       {"Labels", labels}}},
                                    {"Networks", {{{"Target", engine_->call("GET", "/networks/host")->value("Id", "")}}}}}},
                  {"Mode", {{"Replicated", {{"Replicas", 1}}}}}};
  ASSERT_TRUE(engine_->call("POST", "/services/create", spec));
  ASSERT_TRUE(eventually([&] { return workloadUp(ghost); }));
}

std::string SwarmEnv::execIn(const std::string& id, const std::vector<std::string>& argv) {
  auto r = provisioner_->exec(id, argv, "");
  return r ? r->output : "exec failed: " + r.error().message;
}

ControlPlaneEnv::ControlPlaneEnv() : emulator_(kCpSecret, kBackendAdmin), org_("org-" + newUuid().substr(0, 8)) {
  controlplane::ControlPlaneConfig config{emulator_.url(), org_, kCpSecret, kBackendAdmin, "", 60s, 10s};
  // The server resolves instance ids from its database; here the emulator's listing plays that part.
  // The instances of this org are the run's, whoever provisions them (scenarios or servers).
  ResourceJournal::get().record("cp-scope", emulatorRecord());
  provisioner_ = std::make_unique<RecordingProvisioner>(
      *this, std::make_unique<controlplane::ControlPlaneProvisioner>(
                 config, [this](const std::string& id) -> Result<std::string> { return liveInstance(id); }));
}

json ControlPlaneEnv::emulatorRecord() const {
  return {{"emulator", emulator_.url()}, {"shared_secret", kCpSecret}, {"admin_token", kBackendAdmin},
          {"org_id", org_}, {"data_dir", emulator_.dataDir()}};
}

void ControlPlaneEnv::recordWorkload(const std::string& id) {
  auto r = emulatorRecord();
  r["workspace_id"] = id;
  ResourceJournal::get().record("instance", r);
}

std::vector<std::string> ControlPlaneEnv::serverArgs() {
  return {"--backend", "controlplane", "--org-id", org_, "--cp-url", emulator_.url(), "--cp-shared-secret", kCpSecret};
}

std::unique_ptr<Provisioner> ControlPlaneEnv::unwired() {
  return std::make_unique<controlplane::ControlPlaneProvisioner>(controlplane::ControlPlaneConfig{}, [](const std::string&) -> Result<std::string> {
    return std::string();
  });
}

void ControlPlaneEnv::killBehindItsBack(const std::string& id) {
  auto c = emulator_.client();
  ASSERT_EQ(c.request("DELETE", "/cp/workspaces/" + id, "", emulator_.auth()).status, 200);
}

void ControlPlaneEnv::crashBehindItsBack(const std::string& id) {
  auto c = emulator_.client();
  ASSERT_EQ(c.request("POST", "/cp/admin/workspaces/" + id + "/crash", "", emulator_.auth(true)).status, 200);
}

void ControlPlaneEnv::startOrphan(const std::string& ghost) {
  recordWorkload(ghost);
  auto c = emulator_.client();
  const json body{{"org_id", org_}, {"workspace_id", ghost}, {"runtime", "langgraph"}, {"tier", 2},
                  {"platform_url", "http://127.0.0.1:9"}, {"env", json::object()}};
  ASSERT_EQ(c.request("POST", "/cp/workspaces/provision", body.dump(), emulator_.auth()).status, 201);
}

std::string ControlPlaneEnv::execIn(const std::string& id, const std::vector<std::string>& argv) {
  auto c = emulator_.client();
  auto r = c.request("POST", "/cp/workspaces/" + id + "/exec?instance_id=" + liveInstance(id), json{{"argv", argv}}.dump(),
                     emulator_.auth());
  return r.status == 200 ? r.json().value("output", "") : "exec failed: " + r.body;
}

bool ControlPlaneEnv::workloadGone(const std::string& id) {
  auto c = emulator_.client();
  const json listing = c.request("GET", "/cp/workspaces?org_id=" + org_, "", emulator_.auth()).json();
  if (!listing.contains("instances")) return false;  // no answer proves nothing
  for (const auto& i : listing["instances"])
    if (i["workspace_id"] == id && i["state"] != "terminated" && i["state"] != "shutting-down") return false;
  return true;
}

std::string ControlPlaneEnv::liveInstance(const std::string& id) {
  auto c = emulator_.client();
  const json listing = c.request("GET", "/cp/workspaces?org_id=" + org_, "", emulator_.auth()).json();
  for (const auto& i : listing["instances"])
    if (i["workspace_id"] == id && (i["state"] == "running" || i["state"] == "pending")) return i["instance_id"];
  return "";
}

std::string waitForStatus(HttpClient& c, const std::string& id, const std::string& want, std::chrono::seconds limit) {
  std::string status;
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    status = c.get("/workspaces/" + id).json().value("status", "");
    if (status == want) break;
    std::this_thread::sleep_for(100ms);
  }
  return status;
}

}  // namespace ws::test
