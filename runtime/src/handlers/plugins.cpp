// Plugins (runtime-spec 6.3 "Plugins"): install, uninstall and list plugins from the registry.
// An install is recorded in the database and delivered twice: into the running workload now
// (the archive dispatcher) and with the config at every later provision, so a plugin survives
// restarts on every backend, stateless instances included.

#include "core/json_input.h"
#include "core/plugin_registry.h"
#include "core/tar.h"
#include "core/util.h"
#include "handlers/routes.h"
#include "parity/parity.h"

namespace ws {
namespace {

using nlohmann::json;

constexpr std::size_t kMaxInstallBody = 64 * 1024;
constexpr std::string_view kLocal = "local://";

PluginRegistry registry(const Services& svc) { return PluginRegistry(svc.config.plugins_dir); }

Response listRegistry(Services& svc) { return Response::json(200, registry(svc).list()); }

Response listInstalled(Services& svc, const Request& req) {
  auto loaded = svc.workspaces.findLive(req.param("id"));
  if (!loaded) return Response::fromError(loaded.error());
  auto installed = svc.store.listPlugins(loaded->id);
  if (!installed) return Response::fromError(installed.error());
  json out = json::array();
  for (const auto& p : *installed) {
    auto manifest = registry(svc).manifest(p.name);
    json entry = manifest ? *manifest : json{{"name", p.name}};
    entry["source"] = p.source;
    entry["installed_at"] = p.installed_at;
    if (!manifest) entry["error"] = manifest.error().message;
    out.push_back(std::move(entry));
  }
  return Response::json(200, out);
}

Response install(Services& svc, const Request& req) {
  PARITY_IMPL(plugins_install, docker, "writeArchiveAuto into /configs/plugins now, and with the config at every provision");
  PARITY_IMPL(plugins_install, swarm, "writeArchiveAuto into /configs/plugins of the task's container now, and with the config at every provision");
  PARITY_IMPL(plugins_install, controlplane, "writeArchiveAuto into /configs/plugins now, and with the config at every provision");
  auto loaded = svc.workspaces.findManaged(req.param("id"));
  if (!loaded) return Response::fromError(loaded.error());
  if (req.body.size() > kMaxInstallBody) return Response::error(Errc::too_large, "an install request is at most 64 KiB");
  JsonInput in(req.body);
  auto source = in.string("source");
  auto pin = in.string("sha256");
  if (in.error()) return Response::error(Errc::invalid_argument, *in.error());
  if (!source) return Response::error(Errc::invalid_argument, "source is required (local://<name>)");
  if (source->rfind("github://", 0) == 0)
    return Response::error(Errc::unprocessable, "only local:// sources can be installed: this server fetches nothing from the network");
  if (source->rfind(kLocal, 0) != 0) return Response::error(Errc::invalid_argument, "source must be local://<name>");
  const std::string name = source->substr(kLocal.size());
  if (!validPluginName(name)) return Response::error(Errc::invalid_argument, "invalid plugin name: " + name);

  auto plugin = registry(svc).load(name);
  if (!plugin) {
    const auto code = plugin.error().code;
    return Response::error(code == Errc::not_found || code == Errc::too_large ? code : Errc::unprocessable, plugin.error().message);
  }
  if (pin && sha256Hex(plugin->manifest_text) != *pin) return Response::error(Errc::unprocessable, "plugin.yaml does not match sha256");
  const Workspace& w = *loaded;
  if (!isServing(w.status)) return Response::error(Errc::backend_unavailable, "workspace container not running");

  std::vector<std::pair<std::string, std::string>> files;
  for (const auto& [rel, content] : plugin->files) files.emplace_back(name + "/" + rel, content);
  auto tar = makeTar(filesToTarEntries(files));
  if (!tar) return Response::fromError(tar.error());
  if (auto r = svc.workspaces.execAuto(w.id, {"mkdir", "-p", "/configs/plugins"}, ""); !r) return Response::fromError(r.error());
  if (auto r = svc.workspaces.writeArchiveAuto(w.id, "/configs/plugins", *tar); !r) return Response::fromError(r.error());
  if (auto r = svc.store.addPlugin({w.id, name, *source, nowTime()}); !r) return Response::fromError(r.error());
  svc.workspaces.restartInBackground(w.id);
  return Response::json(200, {{"status", "installed"}, {"plugin", name}, {"source", *source}});
}

Response uninstall(Services& svc, const Request& req) {
  auto loaded = svc.workspaces.findManaged(req.param("id"));
  if (!loaded) return Response::fromError(loaded.error());
  const Workspace& w = *loaded;
  const std::string name = req.param("name");
  if (!validPluginName(name)) return Response::error(Errc::invalid_argument, "invalid plugin name: " + name);
  auto installed = svc.store.listPlugins(w.id);
  if (!installed) return Response::fromError(installed.error());
  if (std::none_of(installed->begin(), installed->end(), [&](const PluginInstall& p) { return p.name == name; }))
    return Response::error(Errc::not_found, "plugin " + name + " is not installed");
  if (!isServing(w.status)) return Response::error(Errc::backend_unavailable, "workspace container not running");
  // The plugin's directory and the skills it brought.
  std::vector<std::string> rm{"rm", "-rf", "--", "/configs/plugins/" + name};
  if (auto manifest = registry(svc).manifest(name))
    for (const auto& skill : (*manifest)["skills"])
      if (validPluginName(skill.get<std::string>())) rm.push_back("/configs/skills/" + skill.get<std::string>());
  if (auto r = svc.workspaces.execAuto(w.id, rm, ""); !r) return Response::fromError(r.error());
  if (auto r = svc.store.removePlugin(w.id, name); !r) return Response::fromError(r.error());
  svc.workspaces.restartInBackground(w.id);
  return Response::json(200, {{"status", "uninstalled"}, {"plugin", name}});
}

}  // namespace

void registerPluginRoutes(Router& router, Services& svc) {
  router.add("GET", "/plugins", AuthPolicy::open, [&svc](const Request&) { return listRegistry(svc); });
  router.add("GET", "/workspaces/:id/plugins", AuthPolicy::workspace, [&svc](const Request& r) { return listInstalled(svc, r); });
  router.addBlocking("POST", "/workspaces/:id/plugins", AuthPolicy::workspace, [&svc](const Request& r) { return install(svc, r); });
  router.addBlocking("DELETE", "/workspaces/:id/plugins/:name", AuthPolicy::workspace, [&svc](const Request& r) { return uninstall(svc, r); });
}

}  // namespace ws
