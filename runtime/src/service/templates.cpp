// Workspace templates: a directory each, read within size limits, written atomically.

#include "service/templates.h"

#include <spdlog/spdlog.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "core/util.h"
#include "service/bounded_yaml.h"

namespace ws {
namespace {

namespace fs = std::filesystem;

constexpr std::size_t kMaxFiles = 200;             // as the reference's imports
constexpr std::size_t kMaxBytes = 4u << 20;        // all files of one template
constexpr std::size_t kMaxSharedContextFiles = 50;
const std::set<std::string> kSkipped = {".git", "__pycache__", "node_modules", ".DS_Store"};

/// The UTF-8 text scalars of a list (others are left out: they could not go into JSON).
std::vector<std::string> textList(const YAML::Node& n) {
  std::vector<std::string> out;
  if (!n || !n.IsSequence()) return out;
  for (const auto& item : n) {
    if (!item.IsScalar()) continue;
    std::string value = item.as<std::string>();
    if (isValidUtf8(value)) out.push_back(std::move(value));
  }
  return out;
}

/// The summary of the template `id` from its config.yaml. Throws TemplateError.
TemplateSummary summarise(const std::string& id, std::string_view config_yaml) {
  auto doc = parseBoundedYaml(config_yaml);
  if (!doc) throw TemplateError{doc.error().code, "config.yaml: " + doc.error().message};
  if (!doc->IsMap()) throw TemplateError{Errc::invalid_argument, "config.yaml must be a mapping"};
  const YAML::Node& c = *doc;
  const YAML::Node rc = c["runtime_config"] && c["runtime_config"].IsMap() ? c["runtime_config"] : YAML::Node();
  TemplateSummary s;
  s.id = id;
  s.name = yamlText(c, "name").value_or(id);
  s.description = yamlText(c, "description").value_or("");
  s.tier = yamlNumber(c, "tier").value_or(0);
  s.runtime = yamlText(c, "runtime").value_or("");
  s.model = yamlText(c, "model").value_or(rc ? yamlText(rc, "model").value_or("") : "");
  s.skills = textList(c["skills"]);
  if (rc) {
    s.required_env = textList(rc["required_env"]);
    s.provision_timeout_seconds = yamlNumber(rc, "provision_timeout_seconds");
    if (rc["models"] && rc["models"].IsSequence())
      for (const auto& m : rc["models"])
        if (m.IsMap())
          s.models.push_back({yamlText(m, "id").value_or(""), yamlText(m, "name").value_or(""), textList(m["required_env"])});
  }
  return s;
}

Result<std::string> readSmallFile(const fs::path& p, std::size_t budget) {
  std::error_code ec;
  const auto size = fs::file_size(p, ec);
  if (ec) return makeError(Errc::internal, "cannot read " + p.filename().string() + ": " + ec.message());
  if (size > budget) return makeError(Errc::invalid_argument, "the template is larger than 4 MiB");
  std::ifstream in(p, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in && !in.eof()) return makeError(Errc::internal, "cannot read " + p.filename().string());
  return text.str();
}

/// A config.yaml for imported files without one: their root .md files as prompt files and
/// the skills found as skills/<name>/SKILL.md.
std::string generatedConfig(const std::string& name, const std::map<std::string, std::string>& files) {
  std::vector<std::string> prompts;
  std::set<std::string> skills;
  for (const auto& [path, content] : files) {
    const fs::path p(path);
    if (!p.has_parent_path() && p.extension() == ".md") prompts.push_back(path);
    const auto parts = std::vector<fs::path>(p.begin(), p.end());
    if (parts.size() == 3 && parts[0] == "skills" && parts[2] == "SKILL.md") skills.insert(parts[1].string());
  }
  if (prompts.empty()) prompts.emplace_back("system-prompt.md");
  YAML::Emitter out;
  out << YAML::BeginMap << YAML::Key << "name" << YAML::Value << YAML::DoubleQuoted << name
      << YAML::Key << "description" << YAML::Value << "Imported agent" << YAML::Key << "version" << YAML::Value
      << "1.0.0" << YAML::Key << "tier" << YAML::Value << 1 << YAML::Key << "prompt_files" << YAML::Value
      << YAML::BeginSeq;
  for (const auto& p : prompts) out << YAML::DoubleQuoted << p;
  out << YAML::EndSeq << YAML::Key << "skills" << YAML::Value << YAML::Flow << YAML::BeginSeq;
  for (const auto& s : skills) out << YAML::DoubleQuoted << s;
  out << YAML::EndSeq << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

}  // namespace

std::string templateIdFor(std::string_view name) {
  std::string id;
  for (char ch : name) {
    if (ch == ' ' || ch == '-') id += '-';
    else if (ch >= 'A' && ch <= 'Z') id += static_cast<char>(ch - 'A' + 'a');
    else if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_') id += ch;
  }
  return id.empty() ? "unnamed" : id;
}

std::vector<TemplateSummary> TemplateLibrary::list() const {
  std::vector<TemplateSummary> out;
  std::error_code ec;
  std::vector<fs::path> dirs;
  for (const auto& entry : fs::directory_iterator(dir_, ec))
    if (entry.is_directory(ec) && !entry.is_symlink(ec) && templateIdFor(entry.path().filename().string()) == entry.path().filename().string())
      dirs.push_back(entry.path());
  std::sort(dirs.begin(), dirs.end());
  for (const auto& dir : dirs) {
    const fs::path config = dir / "config.yaml";
    if (!fs::is_regular_file(config, ec)) continue;
    auto text = readSmallFile(config, kMaxBytes);
    try {
      if (!text) throw TemplateError{text.error().code, text.error().message};
      out.push_back(summarise(dir.filename().string(), *text));
    } catch (const TemplateError& e) {
      spdlog::warn("template {} skipped: {}", dir.filename().string(), e.message);
    }
  }
  return out;
}

std::optional<std::string> TemplateLibrary::findByName(std::string_view name) const {
  const auto lower = [](std::string_view text) {
    std::string out(text);
    for (char& ch : out) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return out;
  };
  const auto summaries = list();
  for (const auto& t : summaries)
    if (t.id == templateIdFor(name)) return t.id;
  for (const auto& t : summaries)
    if (lower(t.name) == lower(name)) return t.id;
  return std::nullopt;
}

Result<Template> TemplateLibrary::load(std::string_view id) const {
  if (id.empty() || templateIdFor(id) != id) return makeError(Errc::invalid_argument, "invalid template: " + std::string(id));
  const fs::path root = fs::path(dir_) / std::string(id);
  std::error_code ec;
  if (!fs::is_regular_file(root / "config.yaml", ec)) return makeError(Errc::not_found, "template not found: " + std::string(id));
  Template t;
  std::size_t bytes = 0;
  // Links are not followed: a template names only what is inside its directory.
  for (auto it = fs::recursive_directory_iterator(root, fs::directory_options::skip_permission_denied, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    const std::string base = it->path().filename().string();
    if (kSkipped.contains(base)) {
      if (it->is_directory(ec)) it.disable_recursion_pending();
      continue;
    }
    if (it->is_symlink(ec) || !it->is_regular_file(ec)) continue;
    if (t.files.size() >= kMaxFiles) return makeError(Errc::invalid_argument, "the template has more than 200 files");
    auto content = readSmallFile(it->path(), kMaxBytes - bytes);
    if (!content) return content.error();
    // Config files travel as text on every backend (the control plane's request is JSON).
    if (!isValidUtf8(*content)) {
      spdlog::warn("template {}: {} left out: not UTF-8 text", std::string(id), it->path().lexically_relative(root).generic_string());
      continue;
    }
    bytes += content->size();
    t.files[it->path().lexically_relative(root).generic_string()] = std::move(*content);
  }
  if (ec) return makeError(Errc::internal, "cannot read template " + std::string(id) + ": " + ec.message());
  try {
    t.summary = summarise(std::string(id), t.files["config.yaml"]);
  } catch (const TemplateError& e) {
    return makeError(e.code, e.message);
  }
  return t;
}

Result<std::string> TemplateLibrary::import(const std::string& name, const std::map<std::string, std::string>& files) const {
  if (files.size() > kMaxFiles) return makeError(Errc::invalid_argument, "too many files (" + std::to_string(files.size()) + "), max 200");
  for (const auto& [path, content] : files)
    if (!isSafeRelativePath(path)) return makeError(Errc::invalid_argument, "invalid file path: " + path);
  const std::string id = templateIdFor(name);
  const fs::path target = fs::path(dir_) / id;
  std::error_code ec;
  if (fs::exists(target, ec)) return makeError(Errc::conflict, "template already exists");
  // Written beside the target and renamed into place: a template appears whole or not at all,
  // and of two imports of one name, one wins and the other gets the conflict.
  fs::create_directories(dir_, ec);
  const fs::path staging = fs::path(dir_) / (".import-" + randomToken(8));
  auto fail = [&](Error e) {
    std::error_code ignored;
    fs::remove_all(staging, ignored);
    return e;
  };
  auto write = [&](const std::string& rel, const std::string& content) -> Result<> {
    const fs::path p = staging / rel;
    std::error_code dir_ec;
    fs::create_directories(p.parent_path(), dir_ec);
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out << content;
    out.close();
    if (dir_ec || !out) return makeError(Errc::internal, "cannot write template file " + rel);
    return {};
  };
  for (const auto& [path, content] : files)
    if (auto ok = write(path, content); !ok) return fail(ok.error());
  if (!files.contains("config.yaml"))
    if (auto ok = write("config.yaml", generatedConfig(name, files)); !ok) return fail(ok.error());
  fs::rename(staging, target, ec);
  if (ec) return fail(fs::exists(target) ? makeError(Errc::conflict, "template already exists")
                                         : makeError(Errc::internal, "cannot store template: " + ec.message()));
  return id;
}

Result<std::string> configForWorkspace(const Template& t, const Workspace& w) {
  const auto config = t.files.find("config.yaml");
  auto doc = parseBoundedYaml(config == t.files.end() ? "{}" : config->second);
  if (!doc) return makeError(doc.error().code, "template " + t.summary.id + ": config.yaml: " + doc.error().message);
  if (!doc->IsMap()) return makeError(Errc::invalid_argument, "template " + t.summary.id + ": config.yaml must be a mapping");
  YAML::Node c = *doc;
  c["name"] = w.name;
  if (w.role && !w.role->empty()) c["description"] = *w.role;
  c["tier"] = w.tier;
  c["runtime"] = w.runtime;
  if (!w.model.empty()) c["model"] = w.model;
  YAML::Emitter out;
  out << c;
  if (!out.good()) return makeError(Errc::invalid_argument, "template " + t.summary.id + ": " + out.GetLastError());
  return std::string(out.c_str()) + "\n";
}

std::vector<ContextFile> sharedContext(std::string_view config_yaml,
                                       const std::function<Result<std::string>(const std::string&)>& read) {
  std::vector<ContextFile> out;
  auto doc = parseBoundedYaml(config_yaml);
  if (!doc || !doc->IsMap()) return out;
  std::set<std::string> seen;
  std::size_t bytes = 0;
  for (const auto& path : textList((*doc)["shared_context"])) {
    if (out.size() >= kMaxSharedContextFiles) break;
    if (!isSafeRelativePath(path) || !seen.insert(path).second) continue;
    auto content = read(path);
    if (!content) continue;
    // Within the budget of a template: the answer is held whole in memory.
    if (content->size() > kMaxBytes - bytes) break;
    bytes += content->size();
    out.push_back({path, std::move(*content)});
  }
  return out;
}

}  // namespace ws
