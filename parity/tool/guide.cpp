#include "guide.h"

#include <algorithm>
#include <sstream>

#include "loader.h"
#include "markdown.h"

namespace parity {
namespace {

std::string code(const std::string& s) { return "`" + md::cell(s) + "`"; }

std::string join(const std::vector<std::string>& items, const std::string& sep) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : sep) + i;
  return out;
}

std::vector<std::string> coded(const std::vector<std::string>& items) {
  std::vector<std::string> out;
  for (const auto& i : items) out.push_back(code(i));
  return out;
}

/// With more than two backends, "`a`, `b` and `c`": which "each backend" means. With two it
/// goes without saying (and the two-backend docs stay as they were).
std::string eachBackend(const Model& m) {
  if (m.backends.size() <= 2) return "";
  std::string out;
  for (size_t i = 0; i < m.backends.size(); ++i)
    out += (i == 0 ? "" : i + 1 == m.backends.size() ? " and " : ", ") + code(m.backends[i].id);
  return out;
}

}  // namespace

std::string renderDispatch(const Model& m) {
  const DispatchConfig& c = m.dispatch;
  const md::Links links(m.layout.doc);
  std::ostringstream out;
  out << "## How to dispatch\n\n"
         "Code that needs a backend (a handler, a sweep, a use case) calls the dispatcher of its verb, never a "
         "backend: each dispatcher routes to the backend that is wired, and does its own fallback below when none "
         "is. Different verbs have different fallbacks, so there is one dispatcher per verb. Dispatchers are the "
         "functions in "
      << join(coded(m.layout.sources), ", ");
  if (c.suffix.empty())
    out << " named by the checks' options (no `" << kSuffixOption << "` is set in `.clang-tidy`)";
  else
    out << " whose name ends in " << code(c.suffix) << " (`" << kSuffixOption << "` in `.clang-tidy`)";
  if (!c.gates.empty())
    out << ", and the \"is any backend wired?\" gate" << (c.gates.size() > 1 ? "s " : " ") << join(coded(c.gates), ", ")
        << " (`" << kGateOption << "`, `" << kNullCheckOption << "`)";
  out << ". Each says what it does without a backend, and who may bypass it, in a `PARITY_DISPATCHER` annotation "
         "in its body, from which this table is generated; `parity check` fails on a dispatcher without one.\n\n";
  if (m.dispatchers.empty()) {
    out << "No dispatcher is defined yet.\n\n";
  } else {
    out << "| Dispatcher | Without a backend | Allowed exceptions | Source |\n|---|---|---|---|\n";
    for (const auto& d : m.dispatchers)
      out << "| " << code(d.qualified) << " | " << md::cell(d.fallback) << " | "
          << (d.exceptions.empty() ? "none" : md::cell(d.exceptions)) << " | " << links.at(d.at) << " |\n";
    out << "\n";
  }
  if (!c.allowed_files.empty())
    out << "Backend methods may be called directly only in the files matching `" << kAllowedFilesOption
        << "`: " << join(coded(c.allowed_files), ", ") << " (the dispatchers and the backends' own bodies).\n\n";
  return out.str();
}

std::string renderDriftRisks(const Model& m) {
  const md::Links links(m.layout.doc);
  std::ostringstream out;
  out << "## Drift risks\n\n"
         "Where the backends differ on purpose (divergent, "
      << (m.backends.size() > 2 ? "some backends only" : "one backend only")
      << ") or a feature is not built: each is a place where a user can meet a dead end on one backend, with its "
         "reason and where it is tracked.\n\n";
  int n = 0;
  for (const auto& f : m.features) {
    if (f.verdict() == Verdict::parity) continue;
    out << "- **" << md::cell(f.title) << "** (`" << f.id << "`), " << verdictSymbol(f) << " " << verdictWords(f) << ": ";
    if (f.diverges || f.unbuilt) {
      const Site& s = f.diverges ? *f.diverges : *f.unbuilt;
      out << md::cell(s.text) << ". Tracked in " << links.tracking(s.tracking) << "; " << links.at(s.at) << ".\n";
    } else {
      // Each backend that lacks the row, in column order, with its reason.
      std::vector<std::string> lacks;
      for (const auto& backend : f.lacking()) {
        auto cell = f.cells.find(backend);
        if (cell == f.cells.end()) {
          lacks.push_back("missing on " + backendTitle(backend) + " (no PARITY_IMPL or PARITY_UNSUPPORTED).");
          continue;
        }
        const Site& s = cell->second.sites.front();
        lacks.push_back("unsupported on " + backendTitle(backend) + ": " + md::cell(s.text) + ". Tracked in " +
                        links.tracking(s.tracking) + "; " + links.at(s.at) + ".");
      }
      out << join(lacks, " ") << "\n";
    }
    ++n;
  }
  if (n == 0) out << "None: every built row is at parity.\n";
  out << "\n";
  return out.str();
}

std::string renderEnforcement(const Model& m) {
  const md::Links links(m.layout.doc);
  std::ostringstream out;
  out << "## Enforcement\n\n"
         "The matrix is not trusted on its word. The annotations compile to `static_assert`s (an unknown feature or "
         "backend, or a `PARITY_DISPATCHER` outside the dispatcher it names, does not build)";
  if (m.gates.empty())
    out << "; `parity check` fails on a missing or invalid annotation"
        << (eachBackend(m).empty() ? "" : " (every built row needs one for each backend: " + eachBackend(m) + ")")
        << " and on a stale doc, `parity verify` on contract results that contradict a row. No other gate is declared (`"
        << m.layout.gates << "`: what CI runs, each with the test proving it can fail).\n\n";
  else
    out << ", and these gates (`" << m.layout.gates
        << "`) run in CI, each proven able to fail by a test that plants the violation it exists for."
        << (eachBackend(m).empty() ? "" : " Every built row needs a disposition for each backend: " + eachBackend(m) + ".")
        << "\n\n"
           "| Gate | Fails on | Command | Proven by |\n|---|---|---|---|\n";
  for (const auto& g : m.gates)
    out << "| " << g.id << " | " << md::cell(g.title) << " | " << code(g.command) << " | " << code(g.proof) << " |\n";
  if (!m.gates.empty()) out << "\n";
  if (!m.checks.empty()) {
    out << "The clang-tidy checks (the `parity-checks` plugin, or `parity-tidy`), with their options in "
           "`.clang-tidy`:\n\n| Check | Flags | Options |\n|---|---|---|\n";
    for (const auto& c : m.checks) {
      std::vector<std::string> options;
      for (const auto& [key, value] : c.options) options.push_back(code(key + ": " + value));
      const std::string flags = !c.summary.empty() ? md::cell(c.summary)
                                : c.toolchain
                                    ? "a check of the parity toolchain: its `docs/checks/" + c.name + ".md`"
                                    : "(no doc in docs/checks/)";
      out << "| " << (c.doc.empty() ? code(c.name) : "[" + c.name + "](" + links.to(c.doc) + ")") << " | " << flags
          << " | " << (options.empty() ? "defaults" : join(options, "<br>")) << " |\n";
    }
    out << "\n";
  }
  return out.str();
}

std::string renderChecklist(const Model& m) {
  const std::string suffix = m.dispatch.suffix;
  std::ostringstream out;
  out << "## When you add a new dispatch site\n\n"
         "When new code needs a backend for a verb that has no dispatcher yet (say, a snapshot):\n\n"
         "1. Add a `<verb>"
      << suffix
      << "` dispatcher next to the existing ones (see [How to dispatch](#how-to-dispatch)), never an `if` over the "
         "backends where the need arises: parity-bespoke-dispatch flags a choice of backend outside a dispatcher, "
         "parity-direct-backend-call a backend call outside the allowed files.\n"
         "2. Make its first statement `PARITY_DISPATCHER(<verb>"
      << suffix
      << ", \"what it does when no backend is wired\", \"who may bypass it, and why\")`. Give it the fallback its "
         "verb needs (mark failed, do nothing, refuse with backend_unavailable); do not fold it into another "
         "dispatcher.\n"
         "3. If the verb is a new backend method and the checks list the verbs (`MethodNames` in `.clang-tidy`), add "
         "it there, so that direct calls of it are flagged too (without `MethodNames`, every virtual method of the "
         "interface is a verb).\n"
         "4. Add the feature's row to `"
      << m.layout.features
      << "`, a `PARITY_IMPL` or `PARITY_UNSUPPORTED` for each backend"
      << (eachBackend(m).empty() ? "" : " (" + eachBackend(m) + ")")
      << " where it is implemented (the dispatcher and the backend bodies), and a `CONTRACT_SCENARIO` that observes "
         "the effect inside each backend.\n"
         "5. Run `"
      << m.layout.regenerate
      << "` and commit this file; the lint, `parity check` and the contract suites must pass (see "
         "[Enforcement](#enforcement)), then `parity verify` joins their results to the row.\n\n";
  return out.str();
}

std::string renderLastVerified() {
  return "## Last verified\n\n"
         "This file says what the code declares; whether the backends do it is what `parity verify` checks. Its last "
         "run is recorded where it ran, not here, because a date in this file would make `parity check` (a byte "
         "comparison with a fresh render) fail after every run: `parity.json` carries it as `verified` (the commit, "
         "whether the tree had uncommitted changes, the time) and `parity.html` shows it at the top. `parity verify` "
         "writes both next to the results it reads (or into `--out`).\n";
}

}  // namespace parity
