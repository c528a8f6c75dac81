// Template YAML within budgets.

#include "service/bounded_yaml.h"

#include "core/util.h"

namespace ws {
namespace {

namespace fs = std::filesystem;

// Once aliases and includes are expanded, a template is at most this many nodes this deep.
constexpr std::size_t kMaxTemplateNodes = 20000;
constexpr int kMaxTemplateDepth = 64;
constexpr std::size_t kMaxIncludeDepth = 16;

}  // namespace

YAML::Node TemplateExpander::expand(const YAML::Node& node, const fs::path& dir, int depth) {
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

YAML::Node TemplateExpander::include(const YAML::Node& node, const fs::path& dir, int depth) {
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
  if (stack_.size() > kMaxIncludeDepth) throw TemplateError{Errc::invalid_argument, "!include nested too deeply"};
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

Result<YAML::Node> parseBoundedYaml(std::string_view text) {
  try {
    return TemplateExpander({}).expand(YAML::Load(std::string(text)), {});
  } catch (const TemplateError& e) {
    // YAML::Node converts from anything, so the error alternative is named explicitly.
    return Result<YAML::Node>(boost::system::in_place_error, makeError(e.code, e.message));
  } catch (const YAML::Exception& e) {
    return Result<YAML::Node>(boost::system::in_place_error, makeError(Errc::invalid_argument, std::string("invalid YAML: ") + e.what()));
  }
}

std::optional<std::string> yamlText(const YAML::Node& n, const char* key) {
  if (!n[key] || n[key].IsNull()) return std::nullopt;
  if (!n[key].IsScalar()) throw TemplateError{Errc::invalid_argument, std::string(key) + " must be a string"};
  std::string value = n[key].as<std::string>();
  // A YAML body is bytes: text that is not UTF-8 could not be written into the JSON of events,
  // activity and responses later (the JSON library throws on it).
  if (!isValidUtf8(value)) throw TemplateError{Errc::invalid_argument, std::string(key) + " must be UTF-8 text"};
  return value;
}

std::optional<int> yamlNumber(const YAML::Node& n, const char* key) {
  if (!n[key] || n[key].IsNull()) return std::nullopt;
  try {
    return n[key].as<int>();
  } catch (const YAML::Exception&) {
    throw TemplateError{Errc::invalid_argument, std::string(key) + " must be an integer"};
  }
}

}  // namespace ws
