// Organisation templates: expansion within budgets, then a plan of workspaces.

#include "service/org_templates.h"

#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <regex>

#include "core/util.h"
#include "service/validation.h"

namespace ws {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr std::size_t kMaxWorkspaces = 500;
constexpr int kMaxDepth = 16;
// A template, once aliases and includes are expanded, is at most this many nodes this deep:
// a few aliases can otherwise name billions of nodes ("billion laughs").
constexpr std::size_t kMaxTemplateNodes = 20000;
constexpr int kMaxTemplateDepth = 64;

// Thrown from deep inside the template walk and caught at this file's edge, where it becomes
// the typed error of the answer: the walk stays free of error plumbing, and nothing escapes.
struct TemplateError {
  Errc code;
  std::string message;
};

// Copies a loaded template into a tree of its own, expanding aliases within the node and depth
// budgets, and replacing `!include path` nodes (only in templates read from a directory) with
// the parsed file, confined to the template directory, without cycles.
class TemplateExpander {
 public:
  /// `root` is the template directory; empty for a template sent in the request (no includes).
  explicit TemplateExpander(fs::path root) : root_(std::move(root)) {}

  YAML::Node expand(const YAML::Node& node, const fs::path& dir, int depth = 0) {
    if (++nodes_ > kMaxTemplateNodes)
      throw TemplateError{Errc::invalid_argument, "the template expands to more than " + std::to_string(kMaxTemplateNodes) + " nodes"};
    if (depth > kMaxTemplateDepth) throw TemplateError{Errc::invalid_argument, "the template is nested too deeply"};
    if (node.Tag() == "!include") return include(node, dir, depth);
    if (node.IsMap()) {
      YAML::Node out(YAML::NodeType::Map);
      for (const auto& kv : node) {
        if (!kv.first.IsScalar()) throw TemplateError{Errc::invalid_argument, "template keys must be strings"};
        out[kv.first.as<std::string>()] = expand(kv.second, dir, depth + 1);
      }
      return out;
    }
    if (node.IsSequence()) {
      YAML::Node out(YAML::NodeType::Sequence);
      for (const auto& item : node) out.push_back(expand(item, dir, depth + 1));
      return out;
    }
    return node;
  }

 private:
  YAML::Node include(const YAML::Node& node, const fs::path& dir, int depth) {
    if (root_.empty()) throw TemplateError{Errc::invalid_argument, "!include works only in templates read from the org templates directory"};
    if (!node.IsScalar()) throw TemplateError{Errc::invalid_argument, "!include takes a file name"};
    // The error_code forms: a name the file system refuses (too long, ...) is a 400, not a 500.
    std::error_code ec;
    const fs::path target = fs::weakly_canonical(dir / node.as<std::string>(), ec);
    const auto rel = target.lexically_relative(root_);
    if (ec || rel.empty() || *rel.begin() == "..") throw TemplateError{Errc::invalid_argument, "!include must stay inside the template directory"};
    // A directory (also what an empty name resolves to) would make the YAML reader throw an
    // I/O exception: a 500 instead of an answer.
    if (!fs::is_regular_file(target, ec)) throw TemplateError{Errc::invalid_argument, "!include names no file: " + rel.string()};
    for (const auto& p : stack_)
      if (p == target) throw TemplateError{Errc::invalid_argument, "!include cycle at " + rel.string()};
    if (stack_.size() > 16) throw TemplateError{Errc::invalid_argument, "!include nested too deeply"};
    YAML::Node loaded;
    try {
      loaded = YAML::LoadFile(target.string());
    } catch (const YAML::Exception& e) {
      throw TemplateError{Errc::invalid_argument, "cannot read included " + rel.string() + ": " + e.what()};
    }
    stack_.push_back(target);
    YAML::Node out = expand(loaded, target.parent_path(), depth + 1);
    stack_.pop_back();
    return out;
  }

  fs::path root_;
  std::vector<fs::path> stack_;
  std::size_t nodes_ = 0;
};

std::optional<std::string> text(const YAML::Node& n, const char* key) {
  if (!n[key] || n[key].IsNull()) return std::nullopt;
  if (!n[key].IsScalar()) throw TemplateError{Errc::invalid_argument, std::string(key) + " must be a string"};
  std::string value = n[key].as<std::string>();
  // A YAML body is bytes: text that is not UTF-8 could not be written into the JSON of events,
  // activity and responses later (the JSON library throws on it).
  try {
    (void)json(value).dump();
  } catch (const json::type_error&) {
    throw TemplateError{Errc::invalid_argument, std::string(key) + " must be UTF-8 text"};
  }
  return value;
}

std::optional<int> number(const YAML::Node& n, const char* key) {
  if (!n[key] || n[key].IsNull()) return std::nullopt;
  try {
    return n[key].as<int>();
  } catch (const YAML::Exception&) {
    throw TemplateError{Errc::invalid_argument, std::string(key) + " must be an integer"};
  }
}

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
      const auto name = text(node, "name");
      if (!name || name->empty()) throw TemplateError{Errc::invalid_argument, "every workspace needs a name"};
      w.name = *name;
      w.role = text(node, "role");
      w.runtime = text(node, "runtime").value_or(text(defaults_, "runtime").value_or("langgraph"));
      w.model = text(node, "model").value_or(text(defaults_, "model").value_or(""));
      w.tier = number(node, "tier").value_or(number(defaults_, "tier").value_or(2));
      if (w.tier < 1 || w.tier > 4) throw TemplateError{Errc::invalid_argument, "tier must be between 1 and 4 (" + w.name + ")"};
      if (auto ok = validateWorkspaceText(w.name, w.role, w.model, w.runtime); !ok)
        throw TemplateError{Errc::invalid_argument, ok.error().message + " (" + w.name + ")"};
      w.external = node["external"] && node["external"].as<bool>(false);
      if (w.external) w.url = text(node, "url").value_or("");
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
    out.name = text(tmpl, "name").value_or("org");
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
