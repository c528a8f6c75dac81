#include "core/plugin_registry.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <fstream>
#include <regex>
#include <sstream>
#include <variant>

namespace ws {
namespace fs = std::filesystem;
using nlohmann::json;

bool validPluginName(const std::string& name) {
  static const std::regex kName("[a-z0-9][a-z0-9._-]{0,63}");
  return std::regex_match(name, kName) && name.find("..") == std::string::npos;
}

namespace {

std::string readFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

json stringList(const YAML::Node& n) {
  json out = json::array();
  if (n && n.IsSequence())
    for (const auto& item : n)
      if (item.IsScalar()) out.push_back(item.as<std::string>());
  return out;
}

/// The manifest as JSON, or an error message.
std::variant<json, std::string> parseManifest(const std::string& name, const std::string& text) {
  YAML::Node y;
  try {
    y = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    return std::string("plugin.yaml is not YAML: ") + e.what();
  }
  if (!y.IsMap()) return std::string("plugin.yaml must be a mapping");
  auto scalar = [&](const char* key) { return y[key] && y[key].IsScalar() ? y[key].as<std::string>() : std::string(); };
  if (scalar("name") != name) return "plugin.yaml names '" + scalar("name") + "', not '" + name + "'";
  return json{{"name", name},
              {"version", scalar("version")},
              {"description", scalar("description")},
              {"author", scalar("author")},
              {"tags", stringList(y["tags"])},
              {"skills", stringList(y["skills"])},
              {"runtimes", stringList(y["runtimes"])}};
}

}  // namespace

std::vector<json> PluginRegistry::list() const {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir_, ec))
    if (e.is_directory() && validPluginName(e.path().filename().string())) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  std::vector<json> out;
  for (const auto& name : names)
    if (auto m = manifest(name)) out.push_back(std::move(*m));
  return out;
}

Result<std::pair<json, std::string>> PluginRegistry::readManifest(const std::string& name) const {
  if (!validPluginName(name)) return makeError(Errc::invalid_argument, "invalid plugin name: " + name);
  std::error_code ec;
  if (!fs::is_directory(dir_ / name, ec)) return makeError(Errc::not_found, "no plugin '" + name + "' in the registry");
  const fs::path file = dir_ / name / "plugin.yaml";
  if (!fs::is_regular_file(fs::symlink_status(file, ec)))
    return makeError(Errc::invalid_argument, "plugin '" + name + "' has no plugin.yaml");
  std::string text = readFile(file);
  auto parsed = parseManifest(name, text);
  if (auto* why = std::get_if<std::string>(&parsed)) return makeError(Errc::invalid_argument, *why);
  return std::pair{std::get<json>(std::move(parsed)), std::move(text)};
}

Result<json> PluginRegistry::manifest(const std::string& name) const {
  auto m = readManifest(name);
  if (!m) return m.error();
  json out = std::move(m->first);
  return Result<json>(boost::system::in_place_value, std::move(out));
}

Result<Plugin> PluginRegistry::load(const std::string& name) const {
  auto manifest = readManifest(name);
  if (!manifest) return manifest.error();
  Plugin p{name, std::move(manifest->first), std::move(manifest->second), {}};
  const fs::path root = dir_ / name;
  std::error_code ec;
  std::size_t total = 0;
  // Regular files only: a symlink could point anywhere on the host.
  for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (!it->is_regular_file() || it->is_symlink()) continue;
    total += it->file_size();
    if (total > kMaxPluginBytes) return makeError(Errc::too_large, "plugin '" + name + "' is larger than 1 MiB");
    p.files.emplace_back(fs::relative(it->path(), root).generic_string(), readFile(it->path()));
  }
  std::sort(p.files.begin(), p.files.end());
  return p;
}

}  // namespace ws
