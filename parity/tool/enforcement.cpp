// What enforces parity, for the doc's "Enforcement" section: the gates (Layout::gates; checked:
// the script a gate runs exists, the test proving it bites is registered) and the parity-*
// clang-tidy checks: from the plugin's registrations (checkers/) and docs (docs/checks/) in a
// tree that builds the checks, from their options in .clang-tidy in one that uses them.

#include <algorithm>
#include <regex>
#include <set>

#include "loader.h"

namespace parity {
namespace fs = std::filesystem;

namespace {

/// Every CMakeLists.txt of the tree (not build trees, not .git), concatenated.
std::string cmakeLists(const fs::path& root) {
  std::string out;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(root, fs::directory_options::skip_permission_denied, ec);
       it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) break;
    const std::string name = it->path().filename().string();
    if (it->is_directory() && (name == ".git" || name.starts_with("build") || fs::exists(it->path() / "CMakeCache.txt"))) {
      it.disable_recursion_pending();
      continue;
    }
    if (name == "CMakeLists.txt") out += readFile(it->path()) + "\n";
  }
  return out;
}

bool registered(const std::string& lists, const std::string& test) {
  const std::regex name("NAME\\s+" + std::regex_replace(test, std::regex(R"([.^$|()\[\]{}*+?\\])"), R"(\$&)") +
                        R"((\s|\)))");
  return std::regex_search(lists, name);
}

/// The script a command runs, relative to the root, when it is one of the tree's ("./tools/x",
/// "tools/x"); empty for programs found elsewhere (ctest, ln) and build outputs (build/...).
std::string script(const std::string& command) {
  std::string first = command.substr(0, command.find(' '));
  if (first.starts_with("./")) first = first.substr(2);
  if (first.find('/') == std::string::npos || first.starts_with("build/")) return "";
  return first;
}

void readGates(const fs::path& root, Model& m) {
  static const std::set<std::string, std::less<>> kGateMacro = {"PARITY_GATE"};
  const fs::path def = m.layout.gates;
  if (!fs::exists(root / def)) return;
  const std::string lists = cmakeLists(root);
  for (const auto& call : scanMacroCalls(readFile(root / def), kGateMacro)) {
    const Location at{def.generic_string(), call.line};
    if (!shaped(m, call, at, "isss")) continue;
    Gate g{call.args[0].value, call.args[1].value, call.args[2].value, call.args[3].value, at};
    if (std::any_of(m.gates.begin(), m.gates.end(), [&](const Gate& o) { return o.id == g.id; })) {
      addError(m, at, "duplicate gate '" + g.id + "'");
      continue;
    }
    const std::string program = script(g.command);
    if (!program.empty() && !fs::exists(root / program))
      addError(m, at, "gate '" + g.id + "' runs " + program + ", which does not exist");
    if (g.proof.empty() || !registered(lists, g.proof))
      addError(m, at, "gate '" + g.id + "' names '" + g.proof +
                          "' as the test proving it bites, but no CMakeLists.txt registers it (add_test NAME)");
    m.gates.push_back(std::move(g));
  }
}

/// The first sentence after "**What.**" in a check's doc, on one line.
std::string summary(const std::string& doc) {
  const auto at = doc.find("**What.**");
  if (at == std::string::npos) return "";
  std::string text;
  for (size_t i = at + 9; i < doc.size(); ++i) {
    if (doc.compare(i, 2, "\n\n") == 0) break;
    const char c = doc[i] == '\n' ? ' ' : doc[i];
    if ((c == ' ' || c == '\n') && !text.empty() && (text.back() == '.' || text.back() == ':')) break;
    if (c != ' ' || (!text.empty() && text.back() != ' ')) text += c;
  }
  if (!text.empty() && text.back() == ':') text.back() = '.';
  return text;
}

void readChecks(const fs::path& root, Model& m) {
  static const std::regex kRegistration(R"re(registerCheck\s*<[^>]*>\s*\(\s*"([^"]+)")re");
  std::set<std::string> names;
  for (const auto& file : cxxFiles(root, "checkers")) {
    const std::string text = readFile(root / file);
    for (std::sregex_iterator it(text.begin(), text.end(), kRegistration), end; it != end; ++it) names.insert((*it)[1]);
  }
  if (fs::is_directory(root / "docs/checks"))
    for (const auto& e : fs::directory_iterator(root / "docs/checks"))
      if (e.path().extension() == ".md") names.insert(e.path().stem().string());
  std::set<std::string> configured;
  for (const auto& [key, value] : m.dispatch.options)
    if (const auto dot = key.find('.'); key.starts_with("parity-") && dot != std::string::npos)
      configured.insert(key.substr(0, dot));
  const bool own = !names.empty();
  names.insert(configured.begin(), configured.end());
  for (const auto& name : names) {
    Check c{name, "", "", {}, !own};
    const fs::path doc = fs::path("docs/checks") / (name + ".md");
    if (fs::exists(root / doc)) {
      c.doc = doc.generic_string();
      c.summary = summary(readFile(root / doc));
    }
    for (const auto& [key, value] : m.dispatch.options)
      if (key.starts_with(name + ".")) c.options.emplace_back(key.substr(name.size() + 1), value);
    m.checks.push_back(std::move(c));
  }
}

}  // namespace

void loadEnforcement(const fs::path& root, Model& m) {
  readGates(root, m);
  readChecks(root, m);
}

}  // namespace parity
