#pragma once
// The plugin registry: a host directory with one directory per plugin, each holding a
// plugin.yaml manifest and the files the plugin delivers into /configs/plugins/<name>/.

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ws/errors.h"

namespace ws {

/// A plugin's name: lower-case letters, digits, '.', '_' and '-', starting with a letter or digit.
bool validPluginName(const std::string& name);

struct Plugin {
  std::string name;
  nlohmann::json manifest;  ///< {name, version, description, author, tags, skills, runtimes}
  std::string manifest_text;  ///< plugin.yaml as stored (what sha256 pins refer to)
  std::vector<std::pair<std::string, std::string>> files;  ///< path relative to the plugin dir -> content
};

class PluginRegistry {
 public:
  /// Total size of one plugin's files: it travels in provision requests and config handovers.
  static constexpr std::size_t kMaxPluginBytes = 1 << 20;

  explicit PluginRegistry(std::filesystem::path dir) : dir_(std::move(dir)) {}

  /// Every valid plugin's manifest, by name (invalid ones are skipped). Reads manifests only.
  std::vector<nlohmann::json> list() const;
  /// One plugin's manifest, without reading its files; errors as load().
  Result<nlohmann::json> manifest(const std::string& name) const;
  /// Loads a plugin: not_found when absent, too_large beyond kMaxPluginBytes,
  /// invalid_argument for a missing or malformed manifest.
  Result<Plugin> load(const std::string& name) const;

 private:
  /// The parsed manifest and its text.
  Result<std::pair<nlohmann::json, std::string>> readManifest(const std::string& name) const;
  std::filesystem::path dir_;
};

}  // namespace ws
