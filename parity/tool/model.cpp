#include "model.h"

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>

#include <CLI/Config.hpp>

#include "loader.h"

namespace parity {
namespace fs = std::filesystem;

namespace {
std::map<std::string, std::string> gTitles;  // of the last model loaded, like kBackends
}  // namespace

std::string backendTitle(const std::string& backend) {
  auto it = gTitles.find(backend);
  return it == gTitles.end() ? backend : it->second;
}

std::string onlyWords(const std::string& backend) { return backend + "-only"; }

std::string onlySymbol(const std::string& backend) {
  return !kBackends.empty() && backend == kBackends.front() ? "🔴" : "🟡";
}

std::string verdictWords(const Row& row) {
  switch (row.verdict()) {
    case Verdict::parity: return "parity";
    case Verdict::divergent: return "divergent";
    case Verdict::partial: {
      const auto has = row.implementing();
      if (has.size() == 1) return onlyWords(has.front());
      return "unsupported on " + joined(row.lacking());
    }
    case Verdict::unbuilt: return "not built";
    case Verdict::invalid: return "invalid";
  }
  return "invalid";
}

std::string verdictSymbol(const Row& row) {
  switch (row.verdict()) {
    case Verdict::parity: return "✅";
    case Verdict::divergent: return "⚠️";
    case Verdict::partial: return row.on(kBackends.front()) == Disposition::impl ? "🔴" : "🟡";
    case Verdict::unbuilt: return "⬜";
    case Verdict::invalid: return "❌";
  }
  return "❌";
}

Disposition Row::on(const std::string& backend) const {
  auto it = cells.find(backend);
  return it == cells.end() ? Disposition::missing : it->second.disposition;
}

std::vector<std::string> Row::implementing() const {
  std::vector<std::string> out;
  for (const auto& b : kBackends)
    if (on(b) == Disposition::impl) out.push_back(b);
  return out;
}

std::vector<std::string> Row::lacking() const {
  std::vector<std::string> out;
  for (const auto& b : kBackends)
    if (on(b) != Disposition::impl) out.push_back(b);
  return out;
}

Verdict Row::verdict() const {
  if (unbuilt) return Verdict::unbuilt;
  if (kBackends.size() < 2) return Verdict::invalid;
  size_t impl = 0;
  for (const auto& b : kBackends) {
    const Disposition d = on(b);
    if (d == Disposition::missing) return Verdict::invalid;
    impl += d == Disposition::impl ? 1 : 0;
  }
  if (impl == kBackends.size()) return diverges ? Verdict::divergent : Verdict::parity;
  return impl == 0 ? Verdict::invalid : Verdict::partial;
}

const Row* Model::find(const std::string& id) const {
  auto it = std::find_if(features.begin(), features.end(), [&](const Row& f) { return f.id == id; });
  return it == features.end() ? nullptr : &*it;
}

std::string readFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

namespace {

bool isCxx(const fs::path& p) {
  static const std::set<std::string> ext = {".cpp", ".cc", ".cxx", ".h", ".hpp", ".inc", ".def"};
  return ext.contains(p.extension().string());
}

}  // namespace

std::string joined(const std::vector<std::string>& items, const std::string& suffix) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ", ") + i + suffix;
  return out;
}

std::vector<fs::path> cxxFiles(const fs::path& root, const fs::path& dir) {
  std::vector<fs::path> out;
  if (!fs::is_directory(root / dir)) return out;
  for (const auto& e : fs::recursive_directory_iterator(root / dir))
    if (e.is_regular_file() && isCxx(e.path())) out.push_back(fs::relative(e.path(), root));
  std::sort(out.begin(), out.end());
  return out;
}

void addError(Model& m, const Location& at, const std::string& what) {
  m.errors.push_back(at.file + ":" + std::to_string(at.line) + ": error: " + what);
}

bool shaped(Model& m, const MacroCall& call, const Location& at, std::string_view shape) {
  if (!call.error.empty()) return addError(m, at, call.error), false;
  if (call.args.size() != shape.size()) {
    addError(m, at, call.name + " takes " + std::to_string(shape.size()) + " arguments, got " +
                        std::to_string(call.args.size()));
    return false;
  }
  for (size_t i = 0; i < shape.size(); ++i) {
    const auto want = shape[i] == 'i' ? Argument::Kind::identifier : Argument::Kind::string;
    if (call.args[i].kind != want) {
      addError(m, at, call.name + " argument " + std::to_string(i + 1) + " must be " +
                          (shape[i] == 'i' ? "an identifier" : "a string literal") + ", got '" + call.args[i].value + "'");
      return false;
    }
  }
  return true;
}

namespace {

const std::set<std::string, std::less<>> kRowMacros = {"PARITY_BACKEND", "PARITY_AREA", "PARITY_FEATURE"};
const std::set<std::string, std::less<>> kAnnotationMacros = {"PARITY_IMPL", "PARITY_UNSUPPORTED", "PARITY_DIVERGES",
                                                              "PARITY_UNBUILT"};
const std::set<std::string, std::less<>> kScenarioMacros = {"CONTRACT_SCENARIO"};
// Every annotation kind, for refusing them outside the source directories.
const std::set<std::string, std::less<>> kAllAnnotationMacros = {"PARITY_IMPL", "PARITY_UNSUPPORTED", "PARITY_DIVERGES",
                                                                 "PARITY_UNBUILT", "PARITY_DISPATCHER"};

class Loader {
 public:
  Loader(fs::path root, Layout layout) : root_(std::move(root)), layout_(std::move(layout)) {}

  Model run() {
    m_.layout = layout_;
    m_.reference = layout_.reference;
    m_.guide = fs::exists(root_ / "docs/parity.md");
    readRows();
    kBackends.clear();  // verdicts (also in checkCompleteness) read the columns from here
    gTitles.clear();
    for (const auto& b : m_.backends) {
      kBackends.push_back(b.id);
      gTitles[b.id] = b.title;
    }
    for (const auto& dir : layout_.sources)
      for (const auto& file : cxxFiles(root_, dir)) readAnnotations(file);
    loadDispatchers(root_, m_);
    loadEnforcement(root_, m_);
    const std::string belong = "annotations belong next to the implementation in " + joined(layout_.sources);
    for (const auto& dir : layout_.scenarios)
      for (const auto& file : cxxFiles(root_, dir)) {
        readScenarios(file);
        refuseAnnotations(file, belong);
      }
    for (const auto& elsewhere : layout_.guarded)
      for (const auto& file : cxxFiles(root_, elsewhere)) refuseAnnotations(file, belong);
    checkCompleteness();
    return std::move(m_);
  }

 private:
  void error(const Location& at, const std::string& what) { addError(m_, at, what); }
  bool shaped(const MacroCall& call, const Location& at, std::string_view shape) {
    return parity::shaped(m_, call, at, shape);
  }

  void readRows() {
    const fs::path def = layout_.features;
    if (!fs::exists(root_ / def)) return error({def.generic_string(), 0}, "no features list");
    std::set<std::string> areas;
    for (const auto& call : scanMacroCalls(readFile(root_ / def), kRowMacros)) {
      const Location at{def.generic_string(), call.line};
      if (call.name == "PARITY_BACKEND") {
        if (!shaped(call, at, "is")) continue;
        if (knows(call.args[0].value)) error(at, "duplicate backend '" + call.args[0].value + "'");
        else m_.backends.push_back({call.args[0].value, call.args[1].value, at});
        continue;
      }
      if (call.name == "PARITY_AREA") {
        if (!shaped(call, at, "is")) continue;
        if (!areas.insert(call.args[0].value).second) error(at, "duplicate area '" + call.args[0].value + "'");
        m_.areas.push_back({call.args[0].value, call.args[1].value});
        continue;
      }
      if (!shaped(call, at, "iis")) continue;
      const auto& id = call.args[0].value;
      if (m_.find(id)) { error(at, "duplicate feature '" + id + "'"); continue; }
      if (!areas.contains(call.args[1].value)) error(at, "feature '" + id + "' names unknown area '" + call.args[1].value + "'");
      m_.features.push_back({id, call.args[1].value, call.args[2].value, at, {}, {}, {}, {}});
    }
    // A verdict compares columns (a parity row, or which backends lack the feature): two at least.
    if (m_.backends.size() < 2)
      error({def.generic_string(), 0}, "the features list declares " + std::to_string(m_.backends.size()) +
                                           " backends (PARITY_BACKEND); parity compares at least two");
  }

  bool knows(const std::string& backend) const {
    return std::any_of(m_.backends.begin(), m_.backends.end(), [&](const Column& c) { return c.id == backend; });
  }

  Row* feature(const std::string& id, const Location& at) {
    auto it = std::find_if(m_.features.begin(), m_.features.end(), [&](const Row& f) { return f.id == id; });
    if (it == m_.features.end()) {
      error(at, "unknown feature '" + id + "' (not in " + layout_.features + ")");
      return nullptr;
    }
    return &*it;
  }

  bool knownBackend(const std::string& b, const Location& at) {
    if (knows(b)) return true;
    std::vector<std::string> ids;
    for (const auto& c : m_.backends) ids.push_back(c.id);
    error(at, "unknown backend '" + b + "' (backends: " + joined(ids) + ")");
    return false;
  }

  bool tracked(const Site& s, const std::string& macro) {
    if (!s.tracking.empty()) return true;
    error(s.at, macro + " needs a tracking reference (an issue or roadmap anchor)");
    return false;
  }

  void readAnnotations(const fs::path& file) {
    for (const auto& call : scanMacroCalls(readFile(root_ / file), kAnnotationMacros)) {
      const Location at{file.generic_string(), call.line};
      if (call.name == "PARITY_IMPL") {
        if (!shaped(call, at, "iis")) continue;
        addCell(call, at, Disposition::impl, {call.args[2].value, "", at});
      } else if (call.name == "PARITY_UNSUPPORTED") {
        if (!shaped(call, at, "iiss")) continue;
        Site s{call.args[2].value, call.args[3].value, at};
        if (tracked(s, call.name)) addCell(call, at, Disposition::unsupported, s);
      } else {
        if (!shaped(call, at, "iss")) continue;
        Row* f = feature(call.args[0].value, at);
        Site s{call.args[1].value, call.args[2].value, at};
        if (!f || !tracked(s, call.name)) continue;
        auto& slot = call.name == "PARITY_DIVERGES" ? f->diverges : f->unbuilt;
        if (slot) {
          error(at, "duplicate " + call.name + " for '" + f->id + "' (first at " + slot->at.file + ":" +
                        std::to_string(slot->at.line) + ")");
          continue;
        }
        slot = s;
      }
    }
  }

  void addCell(const MacroCall& call, const Location& at, Disposition d, Site site) {
    Row* f = feature(call.args[0].value, at);
    const auto& backend = call.args[1].value;
    if (!f || !knownBackend(backend, at)) return;
    Cell& cell = f->cells[backend];
    if (cell.disposition != Disposition::missing && cell.disposition != d) {
      error(at, "conflicting annotations for '" + f->id + "' on " + backend + ": implemented and unsupported (other at " +
                    cell.sites.front().at.file + ":" + std::to_string(cell.sites.front().at.line) + ")");
      return;
    }
    if (d == Disposition::unsupported && !cell.sites.empty()) {
      error(at, "duplicate PARITY_UNSUPPORTED for '" + f->id + "' on " + backend);
      return;
    }
    for (const auto& s : cell.sites)
      if (s.at.file == at.file && s.text == site.text) {
        error(at, "duplicate PARITY_IMPL for '" + f->id + "' on " + backend + " (same claim at line " +
                      std::to_string(s.at.line) + ")");
        return;
      }
    cell.disposition = d;
    cell.sites.push_back(std::move(site));
  }

  void readScenarios(const fs::path& file) {
    for (const auto& call : scanMacroCalls(readFile(root_ / file), kScenarioMacros)) {
      const Location at{file.generic_string(), call.line};
      if (!shaped(call, at, "ii")) continue;
      Row* f = feature(call.args[0].value, at);
      if (!f) continue;
      const auto& name = call.args[1].value;
      if (std::any_of(f->scenarios.begin(), f->scenarios.end(), [&](const Scenario& s) { return s.name == name; })) {
        error(at, "duplicate scenario '" + name + "' for '" + f->id + "'");
        continue;
      }
      f->scenarios.push_back({name, at});
    }
  }

  void refuseAnnotations(const fs::path& file, const std::string& why) {
    for (const auto& call : scanMacroCalls(readFile(root_ / file), kAllAnnotationMacros))
      error({file.generic_string(), call.line}, call.name + " outside " + joined(layout_.sources) + ": " + why);
  }

  void checkCompleteness() {
    for (auto& f : m_.features) {
      if (f.unbuilt) {
        for (const auto& [backend, cell] : f.cells)
          error(cell.sites.front().at, "'" + f.id + "' is declared unbuilt at " + f.unbuilt->at.file + ":" +
                                           std::to_string(f.unbuilt->at.line) + " but has a disposition for " + backend);
        if (f.diverges) error(f.diverges->at, "'" + f.id + "' is declared unbuilt; it cannot diverge");
        for (const auto& s : f.scenarios)
          error(s.at, "'" + f.id + "' is declared unbuilt, yet scenario '" + s.name + "' claims to test it");
        continue;
      }
      bool any_impl = false;
      for (const auto& column : m_.backends) {
        const std::string& b = column.id;
        auto it = f.cells.find(b);
        if (it == f.cells.end()) {
          error(f.at, "missing PARITY_IMPL or PARITY_UNSUPPORTED for '" + f.id + "' on " + b);
          continue;
        }
        any_impl = any_impl || it->second.disposition == Disposition::impl;
      }
      if (f.cells.size() == m_.backends.size() && !any_impl)
        error(f.at, "'" + f.id + "' is unsupported on every backend: declare it PARITY_UNBUILT");
      if (f.diverges && f.verdict() != Verdict::divergent)
        error(f.diverges->at, "'" + f.id + "' diverges but is not implemented on every backend");
      if (f.scenarios.empty())
        error(f.at, "'" + f.id + "' has no contract scenario (CONTRACT_SCENARIO in " + joined(layout_.scenarios, "/") + ")");
    }
  }

  fs::path root_;
  Layout layout_;
  Model m_;
};

}  // namespace

Model loadModel(const fs::path& root, const Layout& layout) { return Loader(root, layout).run(); }

Layout loadLayout(const fs::path& root) {
  Layout layout;
  const fs::path file = root / "parity.toml";
  if (!fs::exists(file)) return layout;
  std::vector<CLI::ConfigItem> items;
  try {
    items = CLI::ConfigTOML().from_file(file.string());
  } catch (const CLI::Error& e) {
    throw std::runtime_error(file.string() + ": " + e.what());
  }
  for (const auto& item : items) {
    if (!item.parents.empty() || item.inputs.empty()) continue;
    const std::string& first = item.inputs.front();
    if (item.name == "features") layout.features = first;
    else if (item.name == "sources") layout.sources = item.inputs;
    else if (item.name == "scenarios") layout.scenarios = item.inputs;
    else if (item.name == "guarded") layout.guarded = item.inputs;
    else if (item.name == "doc") layout.doc = first;
    else if (item.name == "reference") layout.reference = first;
    else if (item.name == "gates") layout.gates = first;
    else if (item.name == "regenerate") layout.regenerate = first;
  }
  return layout;
}

}  // namespace parity
