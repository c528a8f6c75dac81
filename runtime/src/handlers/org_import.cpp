// POST /org/import (runtime-spec 4.7): a whole organisation of workspaces from one template,
// YAML (with !include) or JSON, with defaults and nested children, gated on required env and
// provisioned through the dispatcher with the handler's bounded worker pool.

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <regex>
#include <set>

#include "core/json_input.h"
#include "core/util.h"
#include "handlers/routes.h"
#include "parity/parity.h"
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

// Thrown from deep inside the template walk and caught at the route, where it becomes the
// typed error of the answer: the walk stays free of error plumbing, and nothing escapes.
struct ImportError {
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
      throw ImportError{Errc::invalid_argument, "the template expands to more than " + std::to_string(kMaxTemplateNodes) + " nodes"};
    if (depth > kMaxTemplateDepth) throw ImportError{Errc::invalid_argument, "the template is nested too deeply"};
    if (node.Tag() == "!include") return include(node, dir, depth);
    if (node.IsMap()) {
      YAML::Node out(YAML::NodeType::Map);
      for (const auto& kv : node) {
        if (!kv.first.IsScalar()) throw ImportError{Errc::invalid_argument, "template keys must be strings"};
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
    if (root_.empty()) throw ImportError{Errc::invalid_argument, "!include works only in templates read from the org templates directory"};
    if (!node.IsScalar()) throw ImportError{Errc::invalid_argument, "!include takes a file name"};
    // The error_code forms: a name the file system refuses (too long, ...) is a 400, not a 500.
    std::error_code ec;
    const fs::path target = fs::weakly_canonical(dir / node.as<std::string>(), ec);
    const auto rel = target.lexically_relative(root_);
    if (ec || rel.empty() || *rel.begin() == "..") throw ImportError{Errc::invalid_argument, "!include must stay inside the template directory"};
    // A directory (also what an empty name resolves to) would make the YAML reader throw an
    // I/O exception: a 500 instead of an answer.
    if (!fs::is_regular_file(target, ec)) throw ImportError{Errc::invalid_argument, "!include names no file: " + rel.string()};
    for (const auto& p : stack_)
      if (p == target) throw ImportError{Errc::invalid_argument, "!include cycle at " + rel.string()};
    if (stack_.size() > 16) throw ImportError{Errc::invalid_argument, "!include nested too deeply"};
    YAML::Node loaded;
    try {
      loaded = YAML::LoadFile(target.string());
    } catch (const YAML::Exception& e) {
      throw ImportError{Errc::invalid_argument, "cannot read included " + rel.string() + ": " + e.what()};
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
  if (!n[key].IsScalar()) throw ImportError{Errc::invalid_argument, std::string(key) + " must be a string"};
  std::string value = n[key].as<std::string>();
  // A YAML body is bytes: text that is not UTF-8 could not be written into the JSON of events,
  // activity and responses later (the JSON library throws on it).
  try {
    (void)json(value).dump();
  } catch (const json::type_error&) {
    throw ImportError{Errc::invalid_argument, std::string(key) + " must be UTF-8 text"};
  }
  return value;
}

std::optional<int> number(const YAML::Node& n, const char* key) {
  if (!n[key] || n[key].IsNull()) return std::nullopt;
  try {
    return n[key].as<int>();
  } catch (const YAML::Exception&) {
    throw ImportError{Errc::invalid_argument, std::string(key) + " must be an integer"};
  }
}

// A requirement is one name, or any one of several.
using Requirement = std::vector<std::string>;

void collectRequirements(const YAML::Node& list, std::vector<Requirement>& out) {
  if (!list) return;
  if (!list.IsSequence()) throw ImportError{Errc::invalid_argument, "required_env must be a list"};
  static const std::regex kName("^[A-Z][A-Z0-9_]{0,127}$");
  auto check = [](const std::string& n) {
    if (!std::regex_match(n, kName)) throw ImportError{Errc::invalid_argument, "invalid environment variable name: " + n};
    return n;
  };
  for (const auto& item : list) {
    if (item.IsScalar()) {
      out.push_back({check(item.as<std::string>())});
    } else if (item.IsMap() && item["any_of"] && item["any_of"].IsSequence()) {
      Requirement any;
      for (const auto& n : item["any_of"]) any.push_back(check(n.as<std::string>()));
      if (!any.empty()) out.push_back(any);
    } else {
      throw ImportError{Errc::invalid_argument, "required_env entries are names or {any_of: [...]}"};
    }
  }
}

struct Planned {
  Workspace workspace;
};

class Importer {
 public:
  explicit Importer(const YAML::Node& defaults) : defaults_(defaults) {}

  void plan(const YAML::Node& list, const std::optional<std::string>& parent, int depth, std::vector<Requirement>& reqs) {
    if (!list) return;
    if (!list.IsSequence()) throw ImportError{Errc::invalid_argument, "workspaces and children must be lists"};
    if (depth > kMaxDepth) throw ImportError{Errc::invalid_argument, "the workspace tree is nested too deeply"};
    for (const auto& node : list) {
      if (!node.IsMap()) throw ImportError{Errc::invalid_argument, "every workspace must be a mapping"};
      if (planned_.size() >= kMaxWorkspaces) throw ImportError{Errc::invalid_argument, "at most 500 workspaces per import"};
      Workspace w;
      w.id = newUuid();
      const auto name = text(node, "name");
      if (!name || name->empty()) throw ImportError{Errc::invalid_argument, "every workspace needs a name"};
      w.name = *name;
      w.role = text(node, "role");
      w.runtime = text(node, "runtime").value_or(text(defaults_, "runtime").value_or("langgraph"));
      w.model = text(node, "model").value_or(text(defaults_, "model").value_or(""));
      w.tier = number(node, "tier").value_or(number(defaults_, "tier").value_or(2));
      if (w.tier < 1 || w.tier > 4) throw ImportError{Errc::invalid_argument, "tier must be between 1 and 4 (" + w.name + ")"};
      if (auto e = validateWorkspaceText(w.name, w.role, w.model, w.runtime)) throw ImportError{Errc::invalid_argument, *e + " (" + w.name + ")"};
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
      planned_.push_back({w});
      plan(node["children"], w.id, depth + 1, reqs);
    }
  }

  const std::vector<Planned>& planned() const { return planned_; }

 private:
  YAML::Node defaults_;
  std::vector<Planned> planned_;
};

YAML::Node loadTemplate(Services& svc, const Request& req, JsonInput& in) {
  if (auto dir = in.string("dir")) {
    const fs::path root = fs::weakly_canonical(svc.config.org_templates_dir);
    std::error_code ec;  // a name the file system refuses (too long, ...) is a 400, not a 500
    const fs::path target = fs::weakly_canonical(root / *dir, ec);
    const auto rel = target.lexically_relative(root);
    if (ec || dir->empty() || rel.empty() || *rel.begin() == ".." || rel == ".")
      throw ImportError{Errc::invalid_argument, "dir must name a template inside the org templates directory"};
    if (!fs::is_regular_file(target / "org.yaml", ec)) throw ImportError{Errc::not_found, "no org.yaml in template " + *dir};
    YAML::Node doc;
    try {
      doc = YAML::LoadFile((target / "org.yaml").string());
    } catch (const YAML::Exception& e) {
      throw ImportError{Errc::invalid_argument, std::string("org.yaml: ") + e.what()};
    }
    return TemplateExpander(target).expand(doc, target);
  }
  if (auto tmpl = in.object("template")) return TemplateExpander({}).expand(YAML::Load(tmpl->dump()), {});  // JSON is YAML
  if (in.error()) throw ImportError{Errc::invalid_argument, *in.error()};
  (void)req;
  throw ImportError{Errc::invalid_argument, "send {\"dir\": <template>} or {\"template\": {...}}"};
}

Response importOrgWorkspaces(Services& svc, const Request& req) {
  PARITY_IMPL(org_import, docker, "provisionWorkspaceAuto per workspace, bounded by the worker pool");
  PARITY_IMPL(org_import, controlplane, "provisionWorkspaceAuto per workspace, bounded by the worker pool");
  std::string body = req.body;
  const bool yaml_body = req.header("content-type").value_or("").find("yaml") != std::string::npos;
  try {
    YAML::Node tmpl;
    bool force = false;
    if (yaml_body) {  // the template itself, as YAML
      try {
        tmpl = TemplateExpander({}).expand(YAML::Load(body), {});
      } catch (const YAML::Exception& e) {
        throw ImportError{Errc::invalid_argument, std::string("invalid YAML: ") + e.what()};
      }
      force = req.queryParam("force").value_or("") == "true";
    } else {
      JsonInput in(body);
      if (in.error()) throw ImportError{Errc::invalid_argument, *in.error()};
      force = in.boolean("force").value_or(false);
      if (in.error()) throw ImportError{Errc::invalid_argument, *in.error()};
      tmpl = loadTemplate(svc, req, in);
    }
    if (!tmpl.IsMap()) throw ImportError{Errc::invalid_argument, "the org template must be a mapping"};
    const std::string org = text(tmpl, "name").value_or("org");
    std::vector<Requirement> reqs;
    collectRequirements(tmpl["required_env"], reqs);
    Importer importer(tmpl["defaults"] ? tmpl["defaults"] : YAML::Node(YAML::NodeType::Map));
    importer.plan(tmpl["workspaces"], std::nullopt, 0, reqs);
    if (importer.planned().empty()) throw ImportError{Errc::invalid_argument, "the template has no workspaces"};

    // Gate 1: required environment, met by global secrets (unless forced).
    if (!force && !reqs.empty()) {
      auto keys = svc.store.globalSecretKeys();
      if (!keys) return Response::fromError(keys.error());
      json missing = json::array(), required = json::array();
      std::set<std::string> seen;
      for (const auto& r : reqs) {
        const std::string label = r.size() == 1 ? r[0] : "any of " + json(r).dump();
        if (!seen.insert(label).second) continue;
        required.push_back(label);
        bool met = false;
        for (const auto& name : r) met |= keys->count(name) > 0;
        if (!met) missing.push_back(label);
      }
      if (!missing.empty())
        return Response::json(412, {{"error", "missing required environment variables"},
                                    {"missing_env", missing},
                                    {"required_env", required},
                                    {"template", org},
                                    {"suggestion", "add them as global secrets, or repeat with force=true"}});
    }

    // All or nothing: without a backend for the managed ones, nothing is imported.
    std::vector<WorkspaceService::NewWorkspace> batch;
    json created = json::array();
    for (const auto& p : importer.planned()) {
      const Workspace& w = p.workspace;
      batch.push_back({w, {{"name", w.name}, {"tier", w.tier}, {"runtime", w.runtime}, {"org", org}}, {}, {}});
      created.push_back({{"id", w.id}, {"name", w.name}, {"tier", w.tier}});
    }
    if (auto ok = svc.workspaces.create(std::move(batch), WorkspaceService::WithoutBackend::refuse); !ok)
      return Response::fromError(ok.error());
    svc.events().record("ORG_IMPORTED", std::nullopt, {{"org", org}, {"count", created.size()}});
    return Response::json(201, {{"org", org}, {"workspaces", created}, {"count", created.size()}});
  } catch (const ImportError& e) {
    return Response::error(e.code, e.message);
  } catch (const YAML::Exception& e) {
    return Response::error(Errc::invalid_argument, std::string("invalid template: ") + e.what());
  }
}

}  // namespace

void registerOrgRoutes(Router& router, Services& svc) {
  router.add("POST", "/org/import", AuthPolicy::admin, [&svc](const Request& r) { return importOrgWorkspaces(svc, r); });
}

}  // namespace ws
