// Organisation templates: expansion within budgets, then a plan of workspaces.

#include "service/org_templates.h"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <regex>

#include "core/util.h"
#include "service/bounded_yaml.h"
#include "service/templates.h"
#include "service/validation.h"

namespace ws {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr std::size_t kMaxWorkspaces = 500;
constexpr int kMaxDepth = 16;

void collectRequirements(const YAML::Node& list, std::vector<EnvRequirement>& out) {
  if (!list) return;
  if (!list.IsSequence()) throw TemplateError{Errc::invalid_argument, "required_env must be a list"};
  static const std::regex kName("^[A-Z][A-Z0-9_]{0,127}$");
  auto check = [](const std::string& n) {
    if (!std::regex_match(n, kName)) throw TemplateError{Errc::invalid_argument, "invalid environment variable name: " + n};
    return n;
  };
  for (const auto& item : list) {
    if (item.IsScalar()) {
      out.push_back({check(item.as<std::string>())});
    } else if (item.IsMap() && item["any_of"] && item["any_of"].IsSequence()) {
      EnvRequirement any;
      for (const auto& n : item["any_of"]) any.push_back(check(n.as<std::string>()));
      if (!any.empty()) out.push_back(any);
    } else {
      throw TemplateError{Errc::invalid_argument, "required_env entries are names or {any_of: [...]}"};
    }
  }
}

class Planner {
 public:
  explicit Planner(const YAML::Node& defaults) : defaults_(defaults) {}

  void plan(const YAML::Node& list, const std::optional<std::string>& parent, int depth, std::vector<EnvRequirement>& reqs) {
    if (!list) return;
    if (!list.IsSequence()) throw TemplateError{Errc::invalid_argument, "workspaces and children must be lists"};
    if (depth > kMaxDepth) throw TemplateError{Errc::invalid_argument, "the workspace tree is nested too deeply"};
    for (const auto& node : list) {
      if (!node.IsMap()) throw TemplateError{Errc::invalid_argument, "every workspace must be a mapping"};
      if (planned_.size() >= kMaxWorkspaces) throw TemplateError{Errc::invalid_argument, "at most 500 workspaces per import"};
      Workspace w;
      w.id = newUuid();
      const auto name = yamlText(node, "name");
      if (!name || name->empty()) throw TemplateError{Errc::invalid_argument, "every workspace needs a name"};
      w.name = *name;
      w.role = yamlText(node, "role");
      w.runtime = yamlText(node, "runtime").value_or(yamlText(defaults_, "runtime").value_or("langgraph"));
      w.model = yamlText(node, "model").value_or(yamlText(defaults_, "model").value_or(""));
      w.tier = yamlNumber(node, "tier").value_or(yamlNumber(defaults_, "tier").value_or(2));
      if (w.tier < 1 || w.tier > 4) throw TemplateError{Errc::invalid_argument, "tier must be between 1 and 4 (" + w.name + ")"};
      if (auto ok = validateWorkspaceText(w.name, w.role, w.model, w.runtime); !ok)
        throw TemplateError{Errc::invalid_argument, ok.error().message + " (" + w.name + ")"};
      if (auto t = yamlText(node, "template"); t && !t->empty()) {
        if (templateIdFor(*t) != *t) throw TemplateError{Errc::invalid_argument, "invalid template: " + *t + " (" + w.name + ")"};
        w.template_id = *t;
      }
      w.external = node["external"] && node["external"].as<bool>(false);
      if (w.external) w.url = yamlText(node, "url").value_or("");
      w.parent_id = parent;
      w.awareness_namespace = "workspace:" + w.id;
      w.created_at = w.updated_at = nowTime();
      if (node["canvas"] && node["canvas"].IsMap()) {
        w.x = node["canvas"]["x"].as<double>(0);
        w.y = node["canvas"]["y"].as<double>(0);
      }
      collectRequirements(node["required_env"], reqs);
      planned_.push_back(w);
      plan(node["children"], w.id, depth + 1, reqs);
    }
  }

  std::vector<Workspace> take() { return std::move(planned_); }

 private:
  YAML::Node defaults_;
  std::vector<Workspace> planned_;
};

// Plans an expanded template; every error, thrown or from YAML, becomes a typed one.
template <class Load>
Result<OrgPlan> plan(Load load) {
  try {
    const YAML::Node tmpl = load();
    if (!tmpl.IsMap()) throw TemplateError{Errc::invalid_argument, "the org template must be a mapping"};
    OrgPlan out;
    out.name = yamlText(tmpl, "name").value_or("org");
    out.description = yamlText(tmpl, "description").value_or("");
    collectRequirements(tmpl["required_env"], out.required_env);
    Planner planner(tmpl["defaults"] ? tmpl["defaults"] : YAML::Node(YAML::NodeType::Map));
    planner.plan(tmpl["workspaces"], std::nullopt, 0, out.required_env);
    out.workspaces = planner.take();
    if (out.workspaces.empty()) throw TemplateError{Errc::invalid_argument, "the template has no workspaces"};
    return out;
  } catch (const TemplateError& e) {
    return makeError(e.code, e.message);
  } catch (const YAML::Exception& e) {
    return makeError(Errc::invalid_argument, std::string("invalid template: ") + e.what());
  }
}

}  // namespace

Result<OrgPlan> planOrgFromDirectory(const std::string& root_dir, const std::string& dir) {
  return plan([&] {
    const fs::path root = fs::weakly_canonical(root_dir);
    std::error_code ec;  // a name the file system refuses (too long, ...) is a 400, not a 500
    const fs::path target = fs::weakly_canonical(root / dir, ec);
    const auto rel = target.lexically_relative(root);
    if (ec || dir.empty() || rel.empty() || *rel.begin() == ".." || rel == ".")
      throw TemplateError{Errc::invalid_argument, "dir must name a template inside the org templates directory"};
    if (!fs::is_regular_file(target / "org.yaml", ec)) throw TemplateError{Errc::not_found, "no org.yaml in template " + dir};
    YAML::Node doc;
    try {
      doc = YAML::LoadFile((target / "org.yaml").string());
    } catch (const YAML::Exception& e) {
      throw TemplateError{Errc::invalid_argument, std::string("org.yaml: ") + e.what()};
    }
    return TemplateExpander(target).expand(doc, target);
  });
}

Result<OrgPlan> planOrgFromYaml(std::string_view yaml) {
  return plan([&] {
    try {
      return TemplateExpander({}).expand(YAML::Load(std::string(yaml)), {});
    } catch (const YAML::Exception& e) {
      throw TemplateError{Errc::invalid_argument, std::string("invalid YAML: ") + e.what()};
    }
  });
}

Result<OrgPlan> planOrgFromJson(const json& tmpl) {
  return plan([&] { return TemplateExpander({}).expand(YAML::Load(tmpl.dump()), {}); });  // JSON is YAML
}

std::vector<OrgTemplateSummary> listOrgTemplates(const std::string& root) {
  std::vector<OrgTemplateSummary> out;
  std::error_code ec;
  std::vector<std::string> dirs;
  for (const auto& entry : fs::directory_iterator(root, ec))
    if (entry.is_directory(ec) && fs::is_regular_file(entry.path() / "org.yaml", ec)) dirs.push_back(entry.path().filename().string());
  std::sort(dirs.begin(), dirs.end());
  for (const auto& dir : dirs) {
    auto plan = planOrgFromDirectory(root, dir);
    if (!plan) {
      spdlog::warn("org template {} skipped: {}", dir, plan.error().message);
      continue;
    }
    out.push_back({dir, plan->name, plan->description, plan->workspaces.size(), missingEnv(plan->required_env, {}).required});
  }
  return out;
}

EnvGap missingEnv(const std::vector<EnvRequirement>& required, const std::set<std::string>& available) {
  EnvGap out;
  std::set<std::string> seen;
  for (const auto& r : required) {
    const std::string label = r.size() == 1 ? r[0] : "any of " + json(r).dump();
    if (!seen.insert(label).second) continue;
    out.required.push_back(label);
    bool met = false;
    for (const auto& name : r) met |= available.count(name) > 0;
    if (!met) out.missing.push_back(label);
  }
  return out;
}

}  // namespace ws
