#pragma once
// The parity model: backends and rows from the features list, dispositions from PARITY_*
// annotations in the source directories, scenarios from CONTRACT_SCENARIO in the scenario
// directories (where each lives is the project's Layout, read from its parity.toml). Loading
// validates everything and collects problems as `file:line: error: ...` diagnostics instead of
// stopping at the first.

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "config.h"

namespace parity {

/// Where a project keeps what the model is read from, relative to its root. The defaults are
/// the documented conventions (docs/toolchain.md); a project states its own in parity.toml.
struct Layout {
  std::string features = "parity/features.def";  ///< PARITY_BACKEND, PARITY_AREA, PARITY_FEATURE
  std::vector<std::string> sources = {"src"};     ///< where PARITY_* annotations live
  std::vector<std::string> scenarios = {"contract"};  ///< where CONTRACT_SCENARIOs live
  std::vector<std::string> guarded;               ///< more directories where annotations are refused
  std::string doc = "docs/backends.md";           ///< the rendered matrix
  std::string reference;  ///< a results-only backend that must pass every scenario it runs ("": none)
  std::string gates = "parity/gates.def";         ///< PARITY_GATE lines (optional)
  std::string regenerate = "parity render";       ///< the command that rewrites the doc, for its text
};

/// The layout in `root`/parity.toml (TOML, the keys are Layout's members), defaults for what it
/// does not say or when there is none; throws std::runtime_error on an unreadable file.
/// `parity` reads the same file through its options (--config).
Layout loadLayout(const std::filesystem::path& root);

/// The matrix columns of the last model loaded, in order (PARITY_BACKEND in the features list;
/// parity::Backend in parity.h). Process-wide: the tool loads one model per run.
inline std::vector<std::string> kBackends;
/// A backend's title from the features list (the id when it has none).
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

/// partial: some backends implement the feature and the others declare it unsupported.
enum class Verdict { parity, divergent, partial, unbuilt, invalid };
struct Row;
/// "parity", "divergent", "not built", "invalid"; a partial row says who has it or who lacks
/// it: "<backend>-only" when one backend implements it, else "unsupported on <b>, <c>".
std::string verdictWords(const Row& row);
/// An emoji that goes with the words: a partial row is 🔴 when the first backend (kBackends)
/// has it and others lag behind, 🟡 when the first backend lacks it.
std::string verdictSymbol(const Row& row);
std::string onlyWords(const std::string& backend);   ///< "<backend>-only"
std::string onlySymbol(const std::string& backend);  ///< The symbol of onlyWords(backend).

struct Row {
  std::string id, area, title;
  Location at;
  std::map<std::string, Cell> cells;  ///< By backend.
  std::optional<Site> diverges;
  std::optional<Site> unbuilt;
  std::vector<Scenario> scenarios;  ///< In source order.
  Verdict verdict() const;
  Disposition on(const std::string& backend) const;
  std::vector<std::string> implementing() const;  ///< Of kBackends, in their order.
  std::vector<std::string> lacking() const;       ///< The rest of kBackends.
};

struct Area {
  std::string id, title;
};

struct Column {
  std::string id, title;
  Location at;
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

/// A gate (Layout::gates): a command CI runs that fails on drift, and the test proving it can.
struct Gate {
  std::string id, title, command, proof;
  Location at;
};

/// A parity-* clang-tidy check, with its doc and its options in .clang-tidy.
struct Check {
  std::string name;
  std::string summary;  ///< The first sentence of its doc's **What.**, if it has a doc.
  std::string doc;      ///< docs/checks/<name>.md when it exists.
  std::vector<std::pair<std::string, std::string>> options;  ///< Configured in .clang-tidy.
  bool toolchain = false;  ///< Only configured here: the installed toolchain's check, documented there.
};

struct Model {
  Layout layout;                 ///< Where it was read from (the doc's links and wording follow it).
  std::vector<Column> backends;  ///< Column order; two or more.
  std::string reference;         ///< Layout::reference
  std::vector<Area> areas;
  std::vector<Row> features;  ///< Document order.
  std::vector<Dispatcher> dispatchers;  ///< By file, then line.
  std::vector<Gate> gates;              ///< In the gates file's order.
  std::vector<Check> checks;            ///< By name.
  DispatchConfig dispatch;              ///< From .clang-tidy.
  bool guide = false;                   ///< docs/parity.md exists (the doc links to it).
  std::vector<std::string> errors;  ///< `file:line: error: ...`

  const Row* find(const std::string& id) const;
};

/// Reads the features list, the gates, the sources (annotations and dispatchers), the
/// scenarios, .clang-tidy, and the checks' registrations (checkers/) and docs (docs/checks/)
/// under `root`; sets kBackends.
Model loadModel(const std::filesystem::path& root, const Layout& layout = {});

}  // namespace parity
