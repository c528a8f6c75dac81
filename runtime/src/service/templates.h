#pragma once
// Workspace templates (runtime-spec 4.1 and 6.3 "Templates and config"): one directory per
// template under the templates directory, whose config.yaml describes the agent (name, runtime,
// model, skills). A workspace created from a template takes its runtime and model as defaults,
// and the template's files land in the workspace's /configs at every provision, on every
// backend, with the workspace's own identity written into config.yaml.

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ws/errors.h"
#include "ws/workspace.h"

namespace ws {

struct TemplateModel {
  std::string id;
  std::string name;
  std::vector<std::string> required_env;
};

/// What GET /templates shows of one template.
struct TemplateSummary {
  std::string id;  ///< Its directory's name.
  std::string name;
  std::string description;
  int tier = 0;
  std::string runtime;
  std::string model;  ///< Top-level `model`, else `runtime_config.model`.
  std::vector<TemplateModel> models;
  std::vector<std::string> required_env;
  std::vector<std::string> skills;
  std::optional<int> provision_timeout_seconds;
};

/// A template with its files (relative path -> content), config.yaml among them.
struct Template {
  TemplateSummary summary;
  std::map<std::string, std::string> files;
};

class TemplateLibrary {
 public:
  explicit TemplateLibrary(std::string dir) : dir_(std::move(dir)) {}

  /// Every template whose config.yaml reads, by id; the others are skipped with a warning.
  std::vector<TemplateSummary> list() const;
  /// The template `id` with its files: invalid_argument for a name that is not a template id
  /// or a template beyond the size limits, not_found when there is none.
  Result<Template> load(std::string_view id) const;
  /// The template of a workspace named `name`: the directory templateIdFor(name), else the one
  /// whose config.yaml `name` matches case-insensitively; nothing when none does.
  std::optional<std::string> findByName(std::string_view name) const;
  /// Stores `files` as a new template named `name`, with a generated config.yaml when none is
  /// given; returns its id. conflict when the id is taken, invalid_argument for a bad path.
  Result<std::string> import(const std::string& name, const std::map<std::string, std::string>& files) const;

 private:
  std::string dir_;
};

/// A template's directory name for a display name: lower case, spaces to hyphens, only
/// [a-z0-9_-] kept ("unnamed" when nothing is left), as the reference names them.
std::string templateIdFor(std::string_view name);

/// The template's config.yaml carrying the workspace's identity (name, description from the
/// role, tier, runtime, model) in place of the template's.
Result<std::string> configForWorkspace(const Template& t, const Workspace& w);

/// The files a config.yaml lists under `shared_context`, each read with `read` (relative path
/// -> content; an error skips the file), as {path, content} pairs in the listed order: each
/// path once, at most 50 files and 4 MiB in all.
struct ContextFile {
  std::string path;
  std::string content;
};
std::vector<ContextFile> sharedContext(std::string_view config_yaml,
                                       const std::function<Result<std::string>(const std::string&)>& read);

}  // namespace ws
