// Dispatchers: every function in the source directories (Layout::sources) that the checks
// treat as a dispatcher (its name ends in the parity-bespoke-dispatch suffix, or a check's
// option names it as the "is any backend wired?" gate) must carry
// PARITY_DISPATCHER(itself, "fallback", "exceptions"), and
// every PARITY_DISPATCHER must sit in the dispatcher it names.

#include <algorithm>

#include "loader.h"

namespace parity {
namespace fs = std::filesystem;

namespace {

const std::set<std::string, std::less<>> kDispatcherMacro = {"PARITY_DISPATCHER"};

struct Definition {
  FunctionDefinition def;
  std::string file;
  int annotations = 0;
  Location at() const { return {file, def.line}; }
};

struct Annotation {
  MacroCall call;
  Location at;
};

std::string where(const Location& at) { return at.file + ":" + std::to_string(at.line); }

std::string whatCounts(const DispatchConfig& c) {
  std::string out = c.suffix.empty()
                        ? std::string("no dispatcher suffix is configured (") + kSuffixOption + " in .clang-tidy)"
                        : "its name does not end in '" + c.suffix + "' (" + kSuffixOption + ")";
  if (c.gates.empty()) return out;
  out += " and it is not a gate the checks name (";
  for (size_t i = 0; i < c.gates.size(); ++i) out += (i ? ", " : "") + c.gates[i];
  return out + ")";
}

}  // namespace

void loadDispatchers(const fs::path& root, Model& m) {
  m.dispatch = readDispatchConfig(root);
  std::vector<Definition> defs;
  std::vector<Annotation> annotations;
  std::vector<fs::path> files;
  for (const auto& dir : m.layout.sources)
    for (auto& path : cxxFiles(root, dir)) files.push_back(std::move(path));
  for (const auto& path : files) {
    const std::string text = readFile(root / path), file = path.generic_string();
    for (auto& d : scanFunctionDefinitions(text))
      if (m.dispatch.isDispatcher(d.name)) defs.push_back({std::move(d), file, 0});
    for (auto& call : scanMacroCalls(text, kDispatcherMacro)) {
      const Location at{file, call.line};
      annotations.push_back({std::move(call), at});
    }
  }

  for (const auto& a : annotations) {
    if (!shaped(m, a.call, a.at, "iss")) continue;
    const std::string& verb = a.call.args[0].value;
    if (!m.dispatch.isDispatcher(verb)) {
      addError(m, a.at, "PARITY_DISPATCHER names '" + verb + "', which is not a dispatcher: " + whatCounts(m.dispatch));
      continue;
    }
    // The innermost dispatcher body that holds the annotation.
    Definition* home = nullptr;
    for (auto& d : defs)
      if (d.file == a.at.file && d.def.body_begin <= a.at.line && a.at.line <= d.def.body_end &&
          (!home || d.def.body_begin >= home->def.body_begin))
        home = &d;
    if (!home || home->def.name != verb) {
      auto named = std::find_if(defs.begin(), defs.end(), [&](const Definition& d) { return d.def.name == verb; });
      addError(m, a.at,
               named == defs.end()
                   ? "PARITY_DISPATCHER names '" + verb + "', but no function in " + joined(m.layout.sources) +
                         " defines it"
                   : "PARITY_DISPATCHER(" + verb + ", ...) must sit in the body of " + verb + " (defined at " +
                         where(named->at()) + ")");
      continue;
    }
    if (++home->annotations > 1) {
      addError(m, a.at, "duplicate PARITY_DISPATCHER in " + home->def.qualified);
      continue;
    }
    const std::string& fallback = a.call.args[1].value;
    if (fallback.empty())
      addError(m, a.at, "PARITY_DISPATCHER for '" + verb + "' needs its fallback: what it does when no backend is wired");
    m.dispatchers.push_back({verb, home->def.qualified, fallback, a.call.args[2].value, a.at});
  }

  for (const auto& d : defs)
    if (d.annotations == 0)
      addError(m, d.at(), "dispatcher '" + d.def.qualified + "' has no PARITY_DISPATCHER(" + d.def.name +
                              ", \"what it does when no backend is wired\", \"who may bypass it\")");
}

}  // namespace parity
