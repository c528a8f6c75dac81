// Bundle export: a workspace tree as one JSON document (service/bundles.h).

#include "service/bundles.h"

#include "core/json.h"
#include "core/tar.h"
#include "core/util.h"
#include "parity/parity.h"

namespace ws {

using nlohmann::json;

bool bundleFilePath(const std::string& path) {
  return isSafeRelativePath(path) && path != ".auth_token" && path != "plugins" && path.rfind("plugins/", 0) != 0;
}

std::map<std::string, std::string> bundleFilesFromArchive(const std::string& tar, std::vector<std::string>& warnings) {
  std::map<std::string, std::string> files;
  auto entries = readTar(tar);
  if (!entries) {
    warnings.push_back("the archive of /configs did not read: " + entries.error().message);
    return files;
  }
  std::size_t bytes = 0;
  for (auto& e : *entries) {
    if (e.directory) continue;
    // Entries are named after the directory read: configs/<path>.
    const auto slash = e.path.find('/');
    if (slash == std::string::npos) continue;
    std::string rel = e.path.substr(slash + 1);
    if (!bundleFilePath(rel)) continue;  // the credential, the plugins' files: never carried
    if (!isValidUtf8(e.content)) {
      warnings.push_back(rel + " is not UTF-8 text: left out");
      continue;
    }
    if (files.size() >= BundleLimits::kMaxFiles || e.content.size() > BundleLimits::kMaxFileBytes - bytes) {
      warnings.push_back(rel + " is beyond the limits of a bundle (200 files, 4 MiB per workspace): left out");
      continue;
    }
    bytes += e.content.size();
    files.emplace(std::move(rel), std::move(e.content));
  }
  return files;
}

namespace {

/// The reference's skills: the files under skills/<id>/, one skill per directory.
json skillsOf(const std::map<std::string, std::string>& files) {
  std::map<std::string, json> skills;
  for (const auto& [path, content] : files) {
    if (path.rfind("skills/", 0) != 0) continue;
    const auto slash = path.find('/', 7);
    if (slash == std::string::npos) continue;
    const std::string id = path.substr(7, slash - 7);
    auto& skill = skills[id];
    if (skill.is_null()) skill = {{"id", id}, {"name", id}, {"description", ""}, {"files", json::object()}};
    skill["files"][path.substr(slash + 1)] = content;
  }
  json out = json::array();
  for (auto& [id, skill] : skills) out.push_back(std::move(skill));
  return out;
}

json orNull(const std::optional<std::string>& v) { return v ? json(*v) : json(nullptr); }

}  // namespace

std::map<std::string, std::string> Bundles::configFiles(const Workspace& w, std::vector<std::string>& warnings) {
  if (!w.external && isServing(w.status) && workspaces_.hasProvisioner()) {
    auto tar = workspaces_.readArchiveAuto(w.id, "/configs");
    if (tar) return bundleFilesFromArchive(*tar, warnings);
    warnings.push_back("/configs did not read (" + tar.error().message + "): the bundle carries the files the server keeps");
  } else if (!w.external) {
    warnings.push_back("the workspace is not running: the bundle carries the files the server keeps, not its /configs");
  }
  auto own = store_.workspaceFiles(w.id);
  return own ? std::move(*own) : std::map<std::string, std::string>{};
}

Result<json> Bundles::exportTree(const std::string& id) {
  auto w = workspaces_.findLive(id);
  if (!w) return w.error();
  std::size_t count = 0;
  return exportOne(*w, 0, count);
}

Result<json> Bundles::exportOne(const Workspace& w, int depth, std::size_t& count) {
  PARITY_IMPL(bundles, docker, "/configs read through readArchiveAuto; import creates through WorkspaceService::create");
  PARITY_IMPL(bundles, swarm, "/configs read through readArchiveAuto; import creates through WorkspaceService::create");
  PARITY_IMPL(bundles, controlplane, "/configs read through readArchiveAuto; import creates through WorkspaceService::create");
  if (++count > BundleLimits::kMaxWorkspaces || depth >= BundleLimits::kMaxDepth)
    return makeError(Errc::too_large, "the tree is larger than a bundle holds (100 workspaces, 16 levels)");
  std::vector<std::string> warnings;
  auto files = configFiles(w, warnings);
  const json card = w.agent_card ? parseJsonOr(*w.agent_card, nullptr) : json(nullptr);
  json prompts = json::object();
  if (auto it = files.find("config.yaml"); it != files.end()) prompts["config.yaml"] = it->second;
  auto prompt = files.find("system-prompt.md");
  json b{{"schema", "1.0"},
         {"id", w.id},
         {"name", w.name},
         {"description", w.role.value_or("")},
         {"tier", w.tier},
         {"runtime", w.runtime},
         {"model", w.model},
         {"template", orNull(w.template_id)},
         {"system_prompt", prompt == files.end() ? "" : prompt->second},
         {"skills", skillsOf(files)},
         {"tools", json::array()},
         {"prompts", prompts},
         {"agent_card", card},
         {"author", ""},
         {"version", "1.0.0"},
         {"hibernation_idle_minutes", w.hibernation_idle_minutes ? json(*w.hibernation_idle_minutes) : json(nullptr)}};
  b["files"] = std::move(files);

  auto plugins = store_.listPlugins(w.id);
  if (!plugins) return plugins.error();
  b["plugins"] = json::array();
  for (const auto& p : *plugins) b["plugins"].push_back({{"name", p.name}, {"source", p.source}});

  auto schedules = store_.listSchedules(w.id);
  if (!schedules) return schedules.error();
  b["schedules"] = json::array();
  for (const auto& s : *schedules)
    b["schedules"].push_back({{"name", s.name}, {"cron_expr", s.cron_expr}, {"timezone", s.timezone},
                              {"prompt", s.prompt}, {"enabled", s.enabled}});

  // Its own LOCAL and TEAM memories; GLOBAL ones belong to the organisation.
  MemoryFilter filter;
  filter.local_of = {w.id};
  filter.global = false;
  filter.limit = static_cast<int>(BundleLimits::kMaxMemories) + 1;
  auto memories = store_.listMemories(filter);
  if (!memories) return memories.error();
  b["memories"] = json::array();
  for (const auto& m : *memories) {
    if (m.workspace_id != w.id || m.scope == "GLOBAL") continue;
    if (b["memories"].size() >= BundleLimits::kMaxMemories) {
      warnings.push_back("more than 1000 memories: the oldest were left out");
      break;
    }
    b["memories"].push_back({{"content", m.content}, {"scope", m.scope}, {"namespace", m.memory_namespace}});
  }

  auto secrets = store_.listSecrets(w.id);
  if (!secrets) return secrets.error();
  b["secrets"] = json::array();
  for (const auto& s : *secrets) b["secrets"].push_back(s.key);  // names only, never values

  auto children = store_.children(w.id);
  if (!children) return children.error();
  b["sub_workspaces"] = json::array();
  for (const auto& c : *children) {
    auto child = store_.findWorkspace(c.id);
    if (!child) return child.error();
    if (!*child) continue;
    auto exported = exportOne(**child, depth + 1, count);
    if (!exported) return exported.error();
    b["sub_workspaces"].push_back(std::move(*exported));
  }
  if (!warnings.empty()) b["warnings"] = warnings;
  return Result<json>(boost::system::in_place_value, std::move(b));
}

}  // namespace ws
