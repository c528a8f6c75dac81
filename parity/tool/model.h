#pragma once
// The parity model: rows from parity/features.def, dispositions from PARITY_* annotations in
// runtime/src, scenarios from CONTRACT_SCENARIO in contract/. Loading validates everything
// and collects problems as `file:line: error: ...` diagnostics instead of stopping at the first.

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "config.h"

namespace parity {

/// The matrix columns, in order (mirrors parity::Backend in parity.h).
inline const std::vector<std::string> kBackends = {"docker", "controlplane"};
std::string backendTitle(const std::string& backend);

struct Location {
  std::string file;  ///< Relative to the source root, with forward slashes.
  int line = 0;
};

struct Site {
  std::string text;      ///< How (IMPL), why (UNSUPPORTED), what (DIVERGES / UNBUILT).
  std::string tracking;  ///< Issue or roadmap reference (UNSUPPORTED, DIVERGES, UNBUILT).
  Location at;
};

enum class Disposition { missing, impl, unsupported };

struct Cell {
  Disposition disposition = Disposition::missing;
  std::vector<Site> sites;
};

struct Scenario {
  std::string name;
  Location at;
};

enum class Verdict { parity, divergent, docker_only, controlplane_only, unbuilt, invalid };
std::string verdictWords(Verdict v);   ///< "parity", "docker-only", ...
std::string verdictSymbol(Verdict v);  ///< An emoji that goes with the words.

struct Row {
  std::string id, area, title;
  Location at;
  std::map<std::string, Cell> cells;  ///< By backend.
  std::optional<Site> diverges;
  std::optional<Site> unbuilt;
  std::vector<Scenario> scenarios;  ///< In source order.
  Verdict verdict() const;
};

struct Area {
  std::string id, title;
};

/// A dispatcher: one function per backend verb that routes to the wired backend
/// (PARITY_DISPATCHER in its body).
struct Dispatcher {
  std::string verb;       ///< The function's name: `stopWorkspaceAuto`.
  std::string qualified;  ///< As defined: `WorkspaceService::stopWorkspaceAuto`.
  std::string fallback;   ///< What it does when no backend is wired.
  std::string exceptions;  ///< Who may bypass it, and why ("" for nobody).
  Location at;            ///< The annotation.
};

/// A gate of parity/gates.def: a command CI runs that fails on drift, and the test proving it can.
struct Gate {
  std::string id, title, command, proof;
  Location at;
};

/// A clang-tidy check of the plugin, with its doc and its options in .clang-tidy.
struct Check {
  std::string name;
  std::string summary;  ///< The first sentence of its doc's **What.**, if it has a doc.
  std::string doc;      ///< docs/checks/<name>.md when it exists.
  std::vector<std::pair<std::string, std::string>> options;  ///< Configured in .clang-tidy.
};

struct Model {
  std::vector<Area> areas;
  std::vector<Row> features;  ///< Document order.
  std::vector<Dispatcher> dispatchers;  ///< By file, then line.
  std::vector<Gate> gates;              ///< parity/gates.def order.
  std::vector<Check> checks;            ///< By name.
  DispatchConfig dispatch;
  std::vector<std::string> errors;  ///< `file:line: error: ...`

  const Row* find(const std::string& id) const;
};

/// Reads parity/features.def, parity/gates.def, .clang-tidy, runtime/src, contract/, the
/// checks' registrations (checkers/) and docs (docs/checks/) under `root`.
Model loadModel(const std::filesystem::path& root);

}  // namespace parity
