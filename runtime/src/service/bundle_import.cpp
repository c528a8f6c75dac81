// Bundle import: a bundle's tree validated whole, then created anew (service/bundles.h).

#include <set>

#include "core/cron.h"
#include "core/plugin_registry.h"
#include "core/util.h"
#include "service/bundles.h"
#include "service/memories.h"
#include "service/schedules.h"
#include "service/templates.h"
#include "service/validation.h"

namespace ws {

using nlohmann::json;

namespace {

constexpr std::size_t kMaxPromptBytes = 64 * 1024;  // a schedule's prompt, as POST .../schedules
constexpr int kMaxIdleMinutes = 525600;              // a year

/// One workspace of the bundle, ready for WorkspaceService::create.
struct Node {
  WorkspaceService::NewWorkspace created;
  std::vector<std::string> missing_secrets;
  std::vector<std::string> warnings;
  std::vector<std::size_t> children;
};

Error invalid(const std::string& where, const std::string& what) {
  return makeError(Errc::invalid_argument, where + ": " + what);
}

/// An optional field of `b` that must hold `ok` values: nullptr when absent or null.
template <class Check>
Result<const json*> field(const json& b, const char* key, Check ok, const char* kind, const std::string& where) {
  if (!b.contains(key) || b[key].is_null()) return static_cast<const json*>(nullptr);
  if (!ok(b[key])) return invalid(where, std::string(key) + " must be " + kind);
  return &b[key];
}
const auto isString = [](const json& v) { return v.is_string(); };
const auto isArray = [](const json& v) { return v.is_array(); };
const auto isObject = [](const json& v) { return v.is_object(); };
const auto isInteger = [](const json& v) { return v.is_number_integer(); };

class Reader {
 public:
  Reader(const ServerConfig& config, std::set<std::string> global_keys)
      : config_(config), global_keys_(std::move(global_keys)) {}

  /// Reads the workspace `b` (and its sub-workspaces) into nodes(); its index.
  Result<std::size_t> read(const json& b, const std::optional<std::string>& parent, int depth, const std::string& where);
  std::vector<Node>& nodes() { return nodes_; }

 private:
  Result<> readFiles(const json& b, Node& n, const std::string& where);
  Result<> readPlugins(const json& b, Node& n, const std::string& where);
  Result<> readSchedules(const json& b, Node& n, const std::string& where);
  Result<> readSecrets(const json& b, Node& n, const std::string& where);

  const ServerConfig& config_;
  std::set<std::string> global_keys_;
  std::vector<Node> nodes_;
};

Result<std::size_t> Reader::read(const json& b, const std::optional<std::string>& parent, int depth,
                                 const std::string& where) {
  if (!b.is_object()) return invalid(where, "a workspace of a bundle is a JSON object");
  if (depth >= BundleLimits::kMaxDepth || nodes_.size() >= BundleLimits::kMaxWorkspaces)
    return invalid(where, "a bundle holds at most 100 workspaces in 16 levels");
  std::optional<std::string> name, role, runtime, model, template_name;
  using Text = std::pair<const char*, std::optional<std::string>*>;
  for (auto [key, out] : std::initializer_list<Text>{{"name", &name}, {"description", &role}, {"runtime", &runtime},
                                                     {"model", &model}, {"template", &template_name}}) {
    auto v = field(b, key, isString, "a string", where);
    if (!v) return v.error();
    if (*v) *out = (*v)->get<std::string>();
  }
  if (!name || name->empty()) return invalid(where, "name is required");
  if (role && role->empty()) role.reset();
  auto tier = field(b, "tier", isInteger, "an integer", where);
  if (!tier) return tier.error();
  const int tier_value = *tier ? (*tier)->get<int>() : 0;
  if (tier_value < 0 || tier_value > 4) return invalid(where, "tier must be between 1 and 4");
  auto idle = field(b, "hibernation_idle_minutes", isInteger, "an integer", where);
  if (!idle) return idle.error();
  if (*idle && ((*idle)->get<std::int64_t>() < 0 || (*idle)->get<std::int64_t>() > kMaxIdleMinutes))
    return invalid(where, "hibernation_idle_minutes must be between 0 and 525600");

  const std::size_t index = nodes_.size();
  nodes_.emplace_back();
  Node& n = nodes_[index];
  Workspace& w = n.created.row;
  if (template_name && !template_name->empty()) {
    auto t = TemplateLibrary(config_.templates_dir).load(*template_name);
    if (t) {
      w.template_id = t->summary.id;
      if (!runtime || runtime->empty()) runtime = t->summary.runtime;
      if (!model || model->empty()) model = t->summary.model;
    } else {
      n.warnings.push_back("template " + *template_name + " is not on this server: the bundle's files stand in for it");
    }
  }
  if (auto ok = validateWorkspaceText(name, role, model, runtime); !ok) return invalid(where, ok.error().message);
  w.id = newUuid();
  w.name = *name;
  w.role = role;
  w.tier = tier_value > 0 ? tier_value : 3;
  w.runtime = runtime && !runtime->empty() ? *runtime : "langgraph";
  w.external = w.runtime == "external";
  w.model = model.value_or("");
  w.parent_id = parent;
  if (*idle && (*idle)->get<int>() > 0) w.hibernation_idle_minutes = (*idle)->get<int>();
  w.awareness_namespace = "workspace:" + w.id;
  w.created_at = w.updated_at = nowTime();
  const std::string source_id = b.contains("id") && b["id"].is_string() ? b["id"].get<std::string>() : "";
  n.created.event = {{"name", w.name}, {"tier", w.tier}, {"runtime", w.runtime}, {"source_bundle_id", source_id}};

  if (auto ok = readFiles(b, n, where); !ok) return ok.error();
  if (auto ok = readPlugins(b, n, where); !ok) return ok.error();
  if (auto ok = readSchedules(b, n, where); !ok) return ok.error();
  if (auto ok = readSecrets(b, n, where); !ok) return ok.error();
  auto memories = field(b, "memories", isArray, "an array", where);
  if (!memories) return memories.error();
  if (*memories) {
    if ((*memories)->size() > BundleLimits::kMaxMemories) return invalid(where, "at most 1000 memories");
    for (const auto& m : **memories)
      if (m.is_object() && m.contains("scope") && m["scope"].is_string() && m["scope"] == "GLOBAL")
        return invalid(where, "GLOBAL memories belong to the organisation, not to a bundle");
    auto records = initialMemories(w, **memories);
    if (!records) return invalid(where, "memories: " + records.error().message);
    nodes_[index].created.memories = std::move(*records);
  }

  auto subs = field(b, "sub_workspaces", isArray, "an array", where);
  if (!subs) return subs.error();
  if (*subs) {
    const std::string id = nodes_[index].created.row.id;
    for (std::size_t i = 0; i < (*subs)->size(); ++i) {
      auto child = read((**subs)[i], id, depth + 1, where + ".sub_workspaces[" + std::to_string(i) + "]");
      if (!child) return child.error();
      nodes_[index].children.push_back(*child);  // nodes_ may have grown: index, not a reference
    }
  }
  return index;
}

Result<> Reader::readFiles(const json& b, Node& n, const std::string& where) {
  std::map<std::string, std::string> files;
  auto put = [&](const std::string& path, const json& content) -> Result<> {
    if (!content.is_string()) return invalid(where, "the content of " + path + " must be a string");
    if (!bundleFilePath(path)) return invalid(where, "file path " + path + " is not allowed (relative, no '..', not .auth_token or plugins/)");
    files[path] = content.get<std::string>();
    return {};
  };
  // The reference's fields first; `files` (this server's export) wins over them.
  auto prompt = field(b, "system_prompt", isString, "a string", where);
  if (!prompt) return prompt.error();
  if (*prompt && !(*prompt)->get_ref<const std::string&>().empty())
    if (auto ok = put("system-prompt.md", **prompt); !ok) return ok;
  auto skills = field(b, "skills", isArray, "an array", where);
  if (!skills) return skills.error();
  for (const auto& skill : *skills ? **skills : json::array()) {
    if (!skill.is_object() || !skill.contains("id") || !skill["id"].is_string() ||
        !validPluginName(skill["id"].get<std::string>()))
      return invalid(where, "each skill needs an id of lower-case letters, digits, '.', '_' and '-'");
    if (!skill.contains("files")) continue;
    if (!skill["files"].is_object()) return invalid(where, "a skill's files must be an object");
    for (const auto& [rel, content] : skill["files"].items())
      if (auto ok = put("skills/" + skill["id"].get<std::string>() + "/" + rel, content); !ok) return ok;
  }
  for (const char* key : {"prompts", "files"}) {
    auto map = field(b, key, isObject, "an object", where);
    if (!map) return map.error();
    if (*map)
      for (const auto& [path, content] : (*map)->items())
        if (auto ok = put(path, content); !ok) return ok;
  }
  std::size_t bytes = 0;
  for (const auto& [path, content] : files) bytes += content.size();
  if (files.size() > BundleLimits::kMaxFiles || bytes > BundleLimits::kMaxFileBytes)
    return invalid(where, "at most 200 files and 4 MiB of files per workspace");
  n.created.files = std::move(files);
  return {};
}

Result<> Reader::readPlugins(const json& b, Node& n, const std::string& where) {
  auto plugins = field(b, "plugins", isArray, "an array", where);
  if (!plugins) return plugins.error();
  if (!*plugins) return {};
  if ((*plugins)->size() > BundleLimits::kMaxPlugins) return invalid(where, "at most 100 plugins");
  const PluginRegistry registry(config_.plugins_dir);
  for (const auto& p : **plugins) {
    const json value = p.is_object() ? p.value("name", json()) : p;
    if (!value.is_string() || !validPluginName(value.get<std::string>())) return invalid(where, "each plugin needs a valid name");
    const std::string name = value.get<std::string>();
    if (auto found = registry.manifest(name); !found) {
      n.warnings.push_back("plugin " + name + " is not in this server's registry: not installed");
      continue;
    }
    n.created.plugins.push_back({n.created.row.id, name, "local://" + name, nowTime()});
  }
  return {};
}

Result<> Reader::readSchedules(const json& b, Node& n, const std::string& where) {
  auto schedules = field(b, "schedules", isArray, "an array", where);
  if (!schedules) return schedules.error();
  if (!*schedules) return {};
  if ((*schedules)->size() > BundleLimits::kMaxSchedules) return invalid(where, "at most 100 schedules");
  std::set<std::string> names;
  for (const auto& s : **schedules) {
    if (!s.is_object()) return invalid(where, "each schedule is an object");
    ScheduleRecord r;
    r.id = newUuid();
    r.workspace_id = n.created.row.id;
    r.name = s.value("name", json("")).is_string() ? s.value("name", "") : "";
    r.cron_expr = s.value("cron_expr", json("")).is_string() ? s.value("cron_expr", "") : "";
    r.prompt = s.value("prompt", json("")).is_string() ? s.value("prompt", "") : "";
    r.timezone = s.value("timezone", json("UTC")).is_string() ? s.value("timezone", "UTC") : "";
    if (r.timezone.empty()) r.timezone = "UTC";
    r.enabled = s.value("enabled", json(true)).is_boolean() ? s.value("enabled", true) : true;
    const std::string at = "schedule " + r.name + ": ";
    if (r.name.empty() || r.name.size() > 200) return invalid(where, "each schedule needs a name (at most 200 characters)");
    if (!names.insert(r.name).second) return invalid(where, at + "the name is used twice");
    if (r.prompt.empty() || r.prompt.size() > kMaxPromptBytes) return invalid(where, at + "prompt is required (at most 64 KiB)");
    if (r.timezone != "UTC" && r.timezone != "Etc/UTC") return invalid(where, at + "only UTC schedules are supported");
    auto cron = CronSchedule::parse(r.cron_expr);
    if (!cron) return invalid(where, at + cron.error().message);
    if (r.enabled) r.next_run_at = nextRunTime(*cron);
    r.created_at = r.updated_at = nowTime();
    n.created.schedules.push_back(std::move(r));
  }
  return {};
}

Result<> Reader::readSecrets(const json& b, Node& n, const std::string& where) {
  auto secrets = field(b, "secrets", isArray, "an array of names (a bundle never carries values)", where);
  if (!secrets) return secrets.error();
  if (!*secrets) return {};
  if ((*secrets)->size() > BundleLimits::kMaxSecrets) return invalid(where, "at most 200 secret names");
  for (const auto& value : **secrets) {
    if (!value.is_string()) return invalid(where, "secrets lists names only, never values");
    const std::string key = value.get<std::string>();
    if (auto ok = validateSecret(key, ""); !ok) return invalid(where, ok.error().message);
    if (!global_keys_.count(key)) n.missing_secrets.push_back(key);
  }
  return {};
}

json outcome(Store& store, std::vector<Node>& nodes, std::size_t index) {
  const Node& n = nodes[index];
  const Workspace& w = n.created.row;
  auto row = store.findWorkspace(w.id);
  json out{{"workspace_id", w.id}, {"name", w.name}, {"status", "provisioning"}};
  if (row && *row) {
    out["status"] = toString((*row)->status);
    if ((*row)->status == Status::failed) out["error"] = (*row)->last_sample_error;
  }
  if (!n.missing_secrets.empty()) out["missing_secrets"] = n.missing_secrets;
  if (!n.warnings.empty()) out["warnings"] = n.warnings;
  if (!n.children.empty()) {
    out["children"] = json::array();
    for (std::size_t c : n.children) out["children"].push_back(outcome(store, nodes, c));
  }
  return out;
}

}  // namespace

Result<json> Bundles::importTree(const json& bundle) {
  auto globals = store_.globalSecretKeys();
  if (!globals) return globals.error();
  Reader reader(config_, std::move(*globals));
  auto root = reader.read(bundle, std::nullopt, 0, "bundle");
  if (!root) return root.error();
  std::vector<WorkspaceService::NewWorkspace> batch;
  for (const auto& n : reader.nodes()) batch.push_back(n.created);
  if (auto created = workspaces_.create(std::move(batch)); !created) return created.error();
  return Result<json>(boost::system::in_place_value, outcome(store_, reader.nodes(), *root));
}

}  // namespace ws
