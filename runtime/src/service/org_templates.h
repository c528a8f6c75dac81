#pragma once
// Organisation templates (runtime-spec 4.7): one template, YAML (with !include inside the org
// templates directory) or JSON, with defaults and nested children, planned into the workspaces
// an import creates. Expansion is bounded, so a hostile template cannot exhaust the server.

#include <nlohmann/json_fwd.hpp>

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "ws/errors.h"
#include "ws/workspace.h"

namespace ws {

/// One environment variable name, or any one of several.
using EnvRequirement = std::vector<std::string>;

struct OrgPlan {
  std::string name;                         ///< The template's name ("org" when it has none).
  std::string description;
  std::vector<Workspace> workspaces;        ///< Parents before children, ids assigned.
  std::vector<EnvRequirement> required_env;  ///< Of the template and of every workspace.
};

/// The template `dir` of the org templates directory `root`: its org.yaml, whose !include
/// nodes may name files inside that template's directory. not_found when there is no org.yaml.
Result<OrgPlan> planOrgFromDirectory(const std::string& root, const std::string& dir);
/// A template sent in a request, as YAML text (no !include).
Result<OrgPlan> planOrgFromYaml(std::string_view text);
/// A template sent in a request, as a JSON object (no !include).
Result<OrgPlan> planOrgFromJson(const nlohmann::json& tmpl);

/// What GET /org/templates shows of one template of the org templates directory.
struct OrgTemplateSummary {
  std::string dir;
  std::string name;
  std::string description;
  std::size_t workspaces = 0;
  std::vector<std::string> required_env;  ///< Labels, as EnvGap::required.
};
/// Every template of the directory `root` that plans; the others are skipped with a warning.
std::vector<OrgTemplateSummary> listOrgTemplates(const std::string& root);

/// The environment a plan requires, as labels ("NAME" or "any of [...]", each once), and the
/// labels `available` (names of global secrets) does not meet.
struct EnvGap {
  std::vector<std::string> required;
  std::vector<std::string> missing;
};
EnvGap missingEnv(const std::vector<EnvRequirement>& required, const std::set<std::string>& available);

}  // namespace ws
