#include "service/workspace_service.h"

#include <boost/asio/post.hpp>

#include <algorithm>
#include <iterator>
#include <spdlog/spdlog.h>

#include "core/plugin_registry.h"
#include "core/util.h"
#include "parity/parity.h"

namespace ws {
namespace {

Error noBackend() { return makeError(Errc::backend_unavailable, "no workspace backend is configured"); }

}  // namespace

WorkspaceService::WorkspaceService(Lifecycle& lifecycle, Credentials& credentials, const ServerConfig& config,
                                   ProvisionerPtr controlplane, ProvisionerPtr docker, Metrics* metrics)
    : lifecycle_(lifecycle),
      credentials_(credentials),
      config_(config),
      controlplane_(std::move(controlplane)),
      docker_(std::move(docker)),
      metrics_(metrics),
      secrets_(lifecycle.store(), config.secrets_encryption_key) {}

WorkspaceService::~WorkspaceService() {
  drain();
  pool_.join();
}

void WorkspaceService::drain() {
  std::unique_lock lock(mutex_);
  idle_.wait(lock, [this] { return pending_ == 0; });
}

void WorkspaceService::submit(std::function<void()> work) {
  {
    std::lock_guard lock(mutex_);
    ++pending_;
  }
  boost::asio::post(pool_, [this, work = std::move(work)] {
    try {
      work();
    } catch (const std::exception& e) {
      spdlog::error("background work failed: {}", e.what());
    } catch (...) {
      spdlog::error("background work failed with an unknown exception");
    }
    std::lock_guard lock(mutex_);
    if (--pending_ == 0) idle_.notify_all();
  });
}

Provisioner* WorkspaceService::active() const {
  if (controlplane_) return controlplane_.get();
  if (docker_) return docker_.get();
  return nullptr;
}

bool WorkspaceService::hasProvisioner() const {
  PARITY_DISPATCHER(hasProvisioner, "false",
                    "none: the one test of the backend pointers (parity-bare-backend-null-check)");
  return controlplane_ || docker_;
}

std::string WorkspaceService::backendName() const {
  const auto* backend = active();
  return backend ? backend->name() : "none";
}

void WorkspaceService::provisionWorkspaceAuto(const Workspace& w) {
  PARITY_DISPATCHER(provisionWorkspaceAuto, "marks the workspace failed, with the reason to configure a backend",
                    "restartWorkspaceAuto and resumeWorkspaceAuto start through the same provisionOn");
  PARITY_IMPL(workspace_create, docker, "provisionWorkspaceAuto: the active backend's start, or marked failed");
  PARITY_IMPL(workspace_create, swarm, "provisionWorkspaceAuto: the active backend's start, or marked failed");
  PARITY_IMPL(workspace_create, controlplane, "provisionWorkspaceAuto: the active backend's start, or marked failed");
  if (auto* backend = active()) return provisionOn(*backend, w);
  markFailed(w.id, kNoBackendReason);
}

Result<> WorkspaceService::stopWorkspaceAuto(const std::string& workspace_id) {
  PARITY_DISPATCHER(stopWorkspaceAuto, "nothing to stop: succeeds",
                    "the restart, pause and hibernate dispatchers make the same backend call, with their own fallbacks");
  if (auto* backend = active()) return counted(*backend, "stop", backend->stop(workspace_id));
  return {};
}

Result<> WorkspaceService::restartWorkspaceAuto(const Workspace& w) {
  PARITY_DISPATCHER(restartWorkspaceAuto, "backend_unavailable (an external workspace: conflict)", "");
  PARITY_IMPL(workspace_restart, docker, "restartWorkspaceAuto: stop, then provision from the database row");
  PARITY_IMPL(workspace_restart, swarm, "restartWorkspaceAuto: stop (service removed), then provision from the database row");
  PARITY_IMPL(workspace_restart, controlplane, "restartWorkspaceAuto: stop, then provision from the database row");
  PARITY_IMPL(config_hot_reload, docker, "no hot reload: a restart rebuilds the config from the database");
  PARITY_IMPL(config_hot_reload, swarm, "no hot reload: a restart rebuilds the config from the database");
  PARITY_IMPL(config_hot_reload, controlplane, "no hot reload: a restart rebuilds the config from the database");
  if (w.external) return externalError(w.id);
  auto* backend = active();
  if (!backend) return noBackend();
  if (auto stopped = counted(*backend, "stop", backend->stop(w.id)); !stopped) return stopped.error();
  provisionOn(*backend, w);
  return {};
}

Result<> WorkspaceService::pauseWorkspaceAuto(const std::string& workspace_id) {
  PARITY_DISPATCHER(pauseWorkspaceAuto, "nothing to stop: succeeds", "");
  PARITY_IMPL(workspace_pause_resume, docker, "pauseWorkspaceAuto: stop, row kept paused");
  PARITY_IMPL(workspace_pause_resume, swarm, "pauseWorkspaceAuto: stop (service removed), row kept paused");
  PARITY_IMPL(workspace_pause_resume, controlplane, "pauseWorkspaceAuto: stop, row kept paused");
  if (auto* backend = active()) return counted(*backend, "stop", backend->stop(workspace_id));
  return {};
}

Result<> WorkspaceService::resumeWorkspaceAuto(const Workspace& w) {
  PARITY_DISPATCHER(resumeWorkspaceAuto, "backend_unavailable (an external workspace: conflict)", "");
  PARITY_IMPL(workspace_pause_resume, docker, "resumeWorkspaceAuto: provision again");
  PARITY_IMPL(workspace_pause_resume, swarm, "resumeWorkspaceAuto: provision again");
  PARITY_IMPL(workspace_pause_resume, controlplane, "resumeWorkspaceAuto: provision again");
  if (w.external) return externalError(w.id);
  auto* backend = active();
  if (!backend) return noBackend();
  provisionOn(*backend, w);
  return {};
}

Result<> WorkspaceService::hibernateWorkspaceAuto(const std::string& workspace_id) {
  PARITY_DISPATCHER(hibernateWorkspaceAuto, "nothing to stop: succeeds", "");
  PARITY_IMPL(workspace_hibernate, docker, "hibernateWorkspaceAuto: stop, row kept hibernated");
  PARITY_IMPL(workspace_hibernate, swarm, "hibernateWorkspaceAuto: stop, row kept hibernated");
  PARITY_IMPL(workspace_hibernate, controlplane, "hibernateWorkspaceAuto: stop, row kept hibernated");
  if (auto* backend = active()) return counted(*backend, "stop", backend->stop(workspace_id));
  return {};
}

Liveness WorkspaceService::isRunningAuto(const std::string& workspace_id) {
  PARITY_DISPATCHER(isRunningAuto, "alive, with backend_unavailable as its error: on uncertainty nothing is reaped",
                    "");
  if (auto* backend = active()) return counted(*backend, "is_running", backend->isRunning(workspace_id));
  return {true, noBackend()};
}

Result<std::string> WorkspaceService::bootLogAuto(const std::string& workspace_id) {
  PARITY_DISPATCHER(bootLogAuto, "backend_unavailable (an external workspace: conflict)", "");
  if (auto managed = requireManaged(workspace_id); !managed) return managed.error();
  if (auto* backend = active()) return counted(*backend, "boot_log", backend->bootLog(workspace_id));
  return noBackend();
}

Result<ExecResult> WorkspaceService::execAuto(const std::string& workspace_id, const std::vector<std::string>& argv,
                                              const std::string& stdin_data) {
  PARITY_DISPATCHER(execAuto, "backend_unavailable (an external workspace: conflict)", "");
  if (auto managed = requireManaged(workspace_id); !managed) return managed.error();
  if (auto* backend = active()) return counted(*backend, "exec", backend->exec(workspace_id, argv, stdin_data));
  return noBackend();
}

Result<std::string> WorkspaceService::readArchiveAuto(const std::string& workspace_id, const std::string& path) {
  PARITY_DISPATCHER(readArchiveAuto, "backend_unavailable (an external workspace: conflict)", "");
  if (auto managed = requireManaged(workspace_id); !managed) return managed.error();
  if (auto* backend = active()) return counted(*backend, "read_archive", backend->readArchive(workspace_id, path));
  return noBackend();
}

Result<> WorkspaceService::writeArchiveAuto(const std::string& workspace_id, const std::string& path,
                                            const std::string& tar) {
  PARITY_DISPATCHER(writeArchiveAuto, "backend_unavailable (an external workspace: conflict)", "");
  if (auto managed = requireManaged(workspace_id); !managed) return managed.error();
  if (auto* backend = active()) return counted(*backend, "write_archive", backend->writeArchive(workspace_id, path, tar));
  return noBackend();
}

Result<TerminalPtr> WorkspaceService::openTerminalAuto(const std::string& workspace_id) {
  PARITY_DISPATCHER(openTerminalAuto, "backend_unavailable (an external workspace: conflict)", "");
  if (auto managed = requireManaged(workspace_id); !managed) return managed.error();
  if (auto* backend = active()) return counted(*backend, "open_terminal", backend->openTerminal(workspace_id));
  return noBackend();
}

Result<std::vector<std::string>> WorkspaceService::listManagedAuto() {
  PARITY_DISPATCHER(listManagedAuto, "an empty list: the orphan sweep finds nothing", "");
  if (auto* backend = active()) return counted(*backend, "list_managed", backend->listManaged());
  return std::vector<std::string>{};
}

Result<> WorkspaceService::removeVolumesAuto(const std::string& workspace_id) {
  PARITY_DISPATCHER(removeVolumesAuto, "nothing to delete: succeeds", "");
  if (auto* backend = active()) return counted(*backend, "remove_volumes", backend->removeVolumes(workspace_id));
  return {};
}

Error WorkspaceService::externalError(const std::string& workspace_id) {
  return makeError(Errc::conflict, "workspace " + workspace_id +
                                       " is external: its agent runs outside this server, with no workload here");
}

Result<Workspace> WorkspaceService::findLive(const std::string& id) {
  if (!isUuid(id)) return makeError(Errc::invalid_argument, "invalid workspace id");
  auto found = lifecycle_.store().findWorkspace(id);
  if (!found) return found.error();
  if (!*found || (*found)->status == Status::removed) return makeError(Errc::not_found, "workspace not found");
  return std::move(**found);
}

Result<Workspace> WorkspaceService::findManaged(const std::string& id) {
  auto w = findLive(id);
  if (w && w->external) return externalError(id);
  return w;
}

Result<> WorkspaceService::create(std::vector<NewWorkspace> batch, WithoutBackend without_backend) {
  const bool managed = std::any_of(batch.begin(), batch.end(), [](const NewWorkspace& n) { return !n.row.external; });
  if (managed && without_backend == WithoutBackend::refuse && !hasProvisioner())
    return makeError(Errc::backend_unavailable, "no workspace backend is configured; nothing was imported");
  std::vector<Store::NewWorkspace> rows;
  rows.reserve(batch.size());
  for (const auto& n : batch)
    rows.push_back({n.row, Event{0, eventTypeOf(n.row.status), n.row.id, n.event.dump(), n.row.created_at}});
  // Every row in one transaction: a crash leaves all of them or none.
  if (auto ok = lifecycle_.store().insertWorkspaces(rows); !ok) return ok.error();
  for (const auto& r : rows) lifecycle_.events().publish(r.created);
  for (const auto& n : batch) {
    for (const auto& [key, value] : n.secrets)
      if (auto ok = secrets_.put(n.row.id, key, value); !ok) return ok.error();
    for (const auto& m : n.memories)
      if (auto ok = lifecycle_.store().insertMemory(m); !ok) return ok.error();
    if (!n.files.empty())
      if (auto ok = lifecycle_.store().putWorkspaceFiles(n.row.id, n.files); !ok) return ok.error();
    for (const auto& s : n.schedules)
      if (auto ok = lifecycle_.store().putSchedule(s); !ok) return ok.error();
    for (const auto& p : n.plugins)
      if (auto ok = lifecycle_.store().addPlugin(p); !ok) return ok.error();
  }
  // Every row is recorded by now: bring each one up, even after another failed, and report the
  // first failure.
  Result<> first;
  for (const auto& n : batch) {
    const Workspace& w = n.row;
    if (w.status != Status::provisioning) continue;  // adopted at registration: already online
    Result<bool> changed = true;
    if (!w.external) {
      provisionWorkspaceAuto(w);
    } else if (!w.url.empty()) {
      // Online counts as a heartbeat: stamped first, so no sweep sees it online and silent.
      changed = lifecycle_.store().touchHeartbeat(w.id);
      if (changed) changed = lifecycle_.change(StatusChange::to(Status::online, w.id, {{"url", w.url}}).withUrl(w.url));
    } else {
      changed = lifecycle_.change(StatusChange::to(Status::awaiting_agent, w.id));
    }
    if (!changed) {
      spdlog::error("workspace {}: cannot bring it up: {}", w.id, changed.error().message);
      if (first) first = changed.error();
    }
  }
  return first;
}

Result<std::optional<Workspace>> WorkspaceService::pausedAncestor(const Workspace& w) {
  std::optional<std::string> up = w.parent_id;
  for (int depth = 0; up && depth < 64; ++depth) {  // bounded against corrupt cycles
    auto p = lifecycle_.store().findWorkspace(*up);
    if (!p) return p.error();
    if (!*p) break;
    if ((*p)->status == Status::paused) return *p;
    up = (*p)->parent_id;
  }
  return std::optional<Workspace>();
}

Result<> WorkspaceService::refuseUnderPausedParent(const Workspace& w) {
  auto paused = pausedAncestor(w);
  if (!paused) return paused.error();
  if (*paused) return makeError(Errc::conflict, "parent workspace \"" + (*paused)->name + "\" is paused — resume it first");
  return {};
}

Result<> WorkspaceService::restart(const Workspace& w) {
  if (auto refused = refuseUnderPausedParent(w); !refused) return refused.error();
  if (!hasProvisioner()) return noBackend();
  auto changed = lifecycle_.change(StatusChange::to(Status::provisioning, w.id, {{"name", w.name}, {"reason", "restart"}}).withUrl(""));
  if (!changed) return changed.error();
  // The runtime and the rest of the config come from the database row, on every backend.
  return restartWorkspaceAuto(w);
}

Result<WorkspaceService::TeamOutcome> WorkspaceService::pause(const Workspace& w) {
  if (w.status == Status::paused) return makeError(Errc::not_found, "workspace is already paused");
  auto below = lifecycle_.store().descendants(w.id);
  if (!below) return below.error();
  std::vector<WorkspaceRef> targets{{w.id, w.name}};
  targets.insert(targets.end(), below->begin(), below->end());
  TeamOutcome out;
  for (const auto& t : targets) {
    if (auto stopped = pauseWorkspaceAuto(t.id); !stopped) {
      out.failures.push_back(t.id + ": " + stopped.error().message);
      continue;
    }
    auto changed = lifecycle_.change(StatusChange::to(Status::paused, t.id, {{"name", t.name}}).withUrl(""));
    if (changed && *changed) ++out.changed;
  }
  return out;
}

Result<WorkspaceService::TeamOutcome> WorkspaceService::resume(const Workspace& w) {
  if (w.status != Status::paused) return makeError(Errc::not_found, "workspace is not paused");
  if (auto refused = refuseUnderPausedParent(w); !refused) return refused.error();
  if (!hasProvisioner()) return noBackend();
  auto below = lifecycle_.store().descendants(w.id);
  if (!below) return below.error();
  std::vector<std::string> ids{w.id};
  for (const auto& d : *below) ids.push_back(d.id);
  TeamOutcome out;
  for (const auto& id : ids) {
    auto row = lifecycle_.store().findWorkspace(id);
    if (!row || !*row || (*row)->status != Status::paused) continue;
    auto changed = lifecycle_.change(
        StatusChange::to(Status::provisioning, id, {{"name", (*row)->name}, {"reason", "resume"}}).from({Status::paused}));
    if (!changed || !*changed) continue;
    if ((*row)->external) continue;  // an external agent comes back by registering
    if (auto r = resumeWorkspaceAuto(**row); !r) return r.error();
    ++out.changed;
  }
  return out;
}

Result<> WorkspaceService::hibernate(const Workspace& w, bool force) {
  if (!isServing(w.status)) return makeError(Errc::not_found, "only an online or degraded workspace can hibernate");
  if (w.active_tasks > 0 && !force) return makeError(Errc::conflict, "workspace has active tasks; use ?force=true");
  auto claimed = lifecycle_.change(StatusChange::to(Status::hibernating, w.id));
  if (!claimed) return claimed.error();
  if (!*claimed) return makeError(Errc::conflict, "workspace changed state; try again");
  if (auto r = hibernateWorkspaceAuto(w.id); !r) {
    (void)lifecycle_.change(StatusChange::to(Status::online, w.id, {{"reason", "hibernate failed"}}).from({Status::hibernating}));
    return r.error();
  }
  auto done = lifecycle_.change(StatusChange::to(Status::hibernated, w.id).from({Status::hibernating}).withUrl(""));
  if (!done) return done.error();
  return {};
}

Result<WorkspaceService::TeamOutcome> WorkspaceService::teardown(const std::vector<std::string>& ids,
                                                                const std::vector<nlohmann::json>& payloads) {
  // The database first: once removed, nothing can resurrect the rows, whatever the backend does.
  std::vector<Event> events;
  const std::string now = nowTime();
  for (std::size_t i = 0; i < ids.size(); ++i)
    events.push_back(Event{0, eventTypeOf(Status::removed), ids[i], payloads.at(i).dump(), now});
  if (auto ok = lifecycle_.store().markRemoved(ids, events); !ok) return ok.error();
  for (const auto& e : events) lifecycle_.events().publish(e);
  TeamOutcome out;
  for (const auto& id : ids) {
    auto stopped = stopWorkspaceAuto(id);
    // Volumes go only once the workload is gone; a failed stop is retried by the caller.
    if (stopped) stopped = removeVolumesAuto(id);
    if (stopped) ++out.changed;
    else out.failures.push_back(id + ": " + stopped.error().message);
  }
  return out;
}

bool WorkspaceService::markDeadAndRestart(const std::string& workspace_id, const std::string& reason) {
  auto changed = lifecycle_.change(StatusChange::to(Status::offline, workspace_id, {{"reason", reason}})
                                       .from({Status::online, Status::degraded}));
  if (!changed || !*changed) return false;
  spdlog::warn("workspace {} is not running ({}); restarting it", workspace_id, reason);
  restartInBackground(workspace_id);
  return true;
}

Result<> WorkspaceService::requireManaged(const std::string& workspace_id) {
  auto row = lifecycle_.store().findWorkspace(workspace_id);
  if (!row) return row.error();
  if (*row && (*row)->external) return externalError(workspace_id);
  return {};
}

void WorkspaceService::redriveInterruptedProvisions() {
  auto rows = lifecycle_.store().listByStatus({Status::provisioning});
  if (!rows) return spdlog::error("cannot list interrupted provisions: {}", rows.error().message);
  for (const auto& w : *rows) {
    if (w.external) continue;
    spdlog::info("workspace {}: provisioning was interrupted by a restart; starting it again", w.id);
    provisionWorkspaceAuto(w);
  }
}

void WorkspaceService::restartInBackground(const std::string& workspace_id) {
  restartInBackgroundWhen(workspace_id, "restart",
                          [](Status s) { return s != Status::paused && s != Status::hibernated; });
}

void WorkspaceService::wakeInBackground(const std::string& workspace_id) {
  restartInBackgroundWhen(workspace_id, "wake", [](Status s) { return s == Status::hibernated; });
}

void WorkspaceService::restartInBackgroundWhen(const std::string& workspace_id, const char* reason,
                                               bool (*eligible)(Status)) {
  if (!hasProvisioner()) return;
  {
    std::lock_guard lock(mutex_);
    if (!restarting_.insert(workspace_id).second) return;  // one restart at a time per workspace
  }
  submit([this, workspace_id, reason, eligible] {
    auto row = lifecycle_.store().findWorkspace(workspace_id);
    if (row && *row && (*row)->status != Status::removed && eligible((*row)->status) && !(*row)->external) {
      auto changed = lifecycle_.change(StatusChange::to(Status::provisioning, workspace_id, {{"reason", reason}}).withUrl(""));
      if (changed && *changed) {
        if (auto r = restartWorkspaceAuto(**row); !r)
          spdlog::warn("workspace {}: restart failed: {}", workspace_id, r.error().message);
      }
    }
    std::lock_guard lock(mutex_);
    restarting_.erase(workspace_id);
  });
}

void WorkspaceService::provisionOn(Provisioner& backend, Workspace w) {
  submit([this, &backend, w = std::move(w)] {
    // Whatever goes wrong, the workspace must not stay provisioning until the timeout sweep.
    try {
      runProvision(backend, w);
    } catch (const std::exception& e) {
      markFailed(w.id, std::string("provision failed: ") + e.what());
    }
  });
}

void WorkspaceService::runProvision(Provisioner& backend, const Workspace& w) {
  // A fresh token per provision: the previous instance's token must stop working.
  if (auto r = lifecycle_.store().revokeAllTokens(w.id); !r) return markFailed(w.id, r.error().message);
  if (tokens_revoked_) tokens_revoked_(w.id);
  auto token = credentials_.issueToken(w.id);
  if (!token) return markFailed(w.id, token.error().message);
  auto config = buildConfig(w, *token);
  if (!config) return markFailed(w.id, config.error().message);
  const auto t0 = std::chrono::steady_clock::now();
  auto started = counted(backend, "start", backend.start(*config));
  if (metrics_) metrics_->provision(backend.name(), started.has_value(), std::chrono::steady_clock::now() - t0);
  if (!started) {
    spdlog::warn("workspace {}: {} start failed: {}", w.id, backend.name(), started.error().message);
    return markFailed(w.id, "workspace start failed: " + started.error().message);
  }
  WorkspaceUpdate u;
  if (!started->url.empty()) u.url = started->url;
  if (!started->instance_id.empty()) u.instance_id = started->instance_id;
  if (u.url || u.instance_id) (void)lifecycle_.store().updateWorkspace(w.id, u);
  spdlog::info("workspace {}: started on {}", w.id, backend.name());
}

Result<WorkspaceConfig> WorkspaceService::buildConfig(const Workspace& w, const std::string& token) {
  PARITY_IMPL(secrets_crud, docker, "opened into the start environment: the container's env");
  PARITY_IMPL(secrets_crud, swarm, "opened into the start environment: the service's container env");
  PARITY_IMPL(secrets_crud, controlplane, "opened into the start environment: the provision request's env");
  auto secrets = secrets_.environment(w.id);
  if (!secrets) return secrets.error();
  if (!secrets->failed.empty()) {
    std::string names;
    for (const auto& k : secrets->failed) names += (names.empty() ? "" : ", ") + k;
    return makeError(Errc::internal, "cannot decrypt secrets (" + names + "): check SECRETS_ENCRYPTION_KEY");
  }
  WorkspaceConfig c;
  c.env = std::move(secrets->values);
  c.workspace_id = w.id;
  c.runtime = w.runtime;
  c.tier = w.tier;
  c.platform_url = config_.platform_url;
  c.workspace_path = w.workspace_dir.value_or("");
  c.workspace_access = w.workspace_access;
  // JSON strings are valid YAML double-quoted scalars, so dump() quotes safely.
  const auto q = [](const std::string& s) { return nlohmann::json(s).dump(); };
  c.config_files["config.yaml"] = "name: " + q(w.name) + "\ndescription: " + q(w.role.value_or("")) +
                                  "\nversion: 1.0.0\ntier: " + std::to_string(w.tier) +
                                  "\nruntime: " + q(w.runtime) + "\nmodel: " + q(w.model) + "\n";
  PARITY_IMPL(workspace_templates, docker, "config files of the start: in its environment, else an archive upload to /configs");
  PARITY_IMPL(workspace_templates, swarm, "config files of the start: in a swarm secret unpacked into /configs by the entrypoint");
  PARITY_IMPL(workspace_templates, controlplane, "config files of the provision request, written to /configs before boot");
  // A template's files, and its config.yaml with this workspace's identity; like the
  // reference, a template that cannot be read is a warning, not a failed start.
  if (auto t = templateOf(w)) {
    auto config = configForWorkspace(*t, w);
    if (config) {
      for (const auto& [rel, content] : t->files) c.config_files[rel] = content;
      c.config_files["config.yaml"] = std::move(*config);
    } else {
      spdlog::warn("workspace {}: template {} not applied: {}", w.id, t->summary.id, config.error().message);
    }
  }
  if (auto own = ownFiles(w, c.config_files); !own) return own.error();
  c.config_files[".auth_token"] = token;
  // Installed plugins are delivered with the config at every provision, on every backend.
  auto plugins = lifecycle_.store().listPlugins(w.id);
  if (!plugins) return plugins.error();
  for (const auto& installed : *plugins) {
    auto plugin = PluginRegistry(config_.plugins_dir).load(installed.name);
    if (!plugin) {
      spdlog::warn("workspace {}: plugin {} not delivered: {}", w.id, installed.name, plugin.error().message);
      continue;
    }
    for (const auto& [rel, content] : plugin->files) c.config_files["plugins/" + installed.name + "/" + rel] = content;
  }
  c.on_address = [this, id = w.id](const std::string& url) {
    WorkspaceUpdate u;
    u.url = url;
    (void)lifecycle_.store().updateWorkspace(id, u);
  };
  return c;
}

Result<> WorkspaceService::ownFiles(const Workspace& w, std::map<std::string, std::string>& config_files) {
  auto files = lifecycle_.store().workspaceFiles(w.id);
  if (!files) return files.error();
  for (auto& [rel, content] : *files) {
    if (rel != "config.yaml") {
      config_files[rel] = std::move(content);
      continue;
    }
    // Its own config.yaml, with its identity written in as a template's would be.
    Template own;
    own.summary.id = "own files of " + w.id;
    own.files["config.yaml"] = std::move(content);
    auto config = configForWorkspace(own, w);
    if (config) config_files["config.yaml"] = std::move(*config);
    else spdlog::warn("workspace {}: its config.yaml not applied: {}", w.id, config.error().message);
  }
  return {};
}

std::optional<Template> WorkspaceService::templateOf(const Workspace& w) const {
  const TemplateLibrary library(config_.templates_dir);
  if (w.template_id) {
    auto t = library.load(*w.template_id);
    if (t) return std::move(*t);
    spdlog::warn("workspace {}: template {} not applied: {}", w.id, *w.template_id, t.error().message);
    return std::nullopt;
  }
  // Without a named template, the runtime's default template when there is one.
  auto t = library.load(w.runtime + "-default");
  if (t) return std::move(*t);
  return std::nullopt;
}

void WorkspaceService::noteBackendError(const Provisioner& backend, const char* operation, const Error& e) {
  // The backend's own failures; a caller's mistake (an unknown file, a conflict) is not one.
  static constexpr Errc kBackendFailures[] = {Errc::backend_error, Errc::backend_unavailable, Errc::timeout,
                                              Errc::internal};
  if (!metrics_ || std::find(std::begin(kBackendFailures), std::end(kBackendFailures), e.code) == std::end(kBackendFailures))
    return;
  metrics_->backendError(backend.name(), operation);
}

void WorkspaceService::markFailed(const std::string& workspace_id, const std::string& reason) {
  auto r = lifecycle_.change(StatusChange::to(Status::failed, workspace_id, {{"error", reason}}).withError(reason));
  if (!r) spdlog::error("workspace {}: cannot mark failed: {}", workspace_id, r.error().message);
}

}  // namespace ws
