#pragma once
// YAML from templates, read within budgets. A few aliases can name billions of nodes ("billion
// laughs") and yaml-cpp follows them, so every template is first copied into a tree of its own
// whose size and depth are bounded, with `!include` nodes resolved inside one directory.

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ws/errors.h"

namespace ws {

// Thrown from deep inside a template walk and caught at the walking file's edge, where it
// becomes the typed error of the answer: the walk stays free of error plumbing.
struct TemplateError {
  Errc code;
  std::string message;
};

/// Copies a loaded YAML tree, expanding aliases within the node and depth budgets, and
/// replacing `!include path` nodes (only when a root directory is given) with the parsed file,
/// confined to that directory, without cycles. Throws TemplateError.
class TemplateExpander {
 public:
  /// `root` confines includes; empty: `!include` is refused.
  explicit TemplateExpander(std::filesystem::path root) : root_(std::move(root)) {}

  YAML::Node expand(const YAML::Node& node, const std::filesystem::path& dir, int depth = 0);

 private:
  YAML::Node include(const YAML::Node& node, const std::filesystem::path& dir, int depth);

  std::filesystem::path root_;
  std::vector<std::filesystem::path> stack_;
  std::size_t nodes_ = 0;
};

/// A YAML document parsed and expanded within the budgets, without includes.
Result<YAML::Node> parseBoundedYaml(std::string_view text);

/// The scalar `key` of a mapping as UTF-8 text; nullopt when absent or null. Throws TemplateError.
std::optional<std::string> yamlText(const YAML::Node& n, const char* key);
/// The integer `key` of a mapping; nullopt when absent or null. Throws TemplateError.
std::optional<int> yamlNumber(const YAML::Node& n, const char* key);

}  // namespace ws
