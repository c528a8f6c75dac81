#pragma once
// Joins contract results to the annotations. The contract suites write one JSON file per test
// run: {"results": [{"feature", "backend", "scenario", "file", "line", "expected", "observed",
// "detail"}]} with observed one of pass | fail | unsupported | not_run.

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "model.h"

namespace parity {

/// Besides the matrix columns, a project's contract suites may run against a reference model
/// (Layout::reference, Model::reference; this project's is "reference"): its results are
/// reported and must pass, but it is not a column of the matrix.

/// The status verify gives each result in parity.json: it agrees with the annotations, it
/// contradicts them (with a "message"), or it is no evidence either way (not run, or missing
/// where that is owed nothing or already counted against its backend).
inline constexpr const char* kAgrees = "agrees";
inline constexpr const char* kContradicts = "contradicts";
inline constexpr const char* kNoEvidence = "no evidence";

struct Verification {
  std::vector<std::string> contradictions;  ///< Each one fails `verify` (exit 3).
  std::vector<std::string> warnings;
  nlohmann::json report;  ///< parity.json
};

/// Reads every *.json under `results`; throws std::runtime_error on unreadable input.
std::vector<nlohmann::json> readResults(const std::filesystem::path& results);

/// What the results are meant to cover. A full run must hold evidence for every scenario on
/// every backend; a partial one (a filtered test run) is checked only where it observed
/// something: whatever ran must agree with the annotations, nothing is owed for what did not.
enum class Coverage { full, partial };

Verification verify(const Model& model, const std::vector<nlohmann::json>& results, Coverage coverage = Coverage::full);

/// parity.json's "verified": which tree was verified, and when.
struct Stamp {
  std::string commit;  ///< Empty when the tree is not a git checkout.
  bool dirty = false;  ///< Uncommitted changes to tracked files.
  std::string time;    ///< UTC, ISO 8601.
};
void stamp(nlohmann::json& report, const Stamp& s);

/// parity.html: one self-contained page (inline CSS and script, no network). `source_url` is
/// prefixed to "file#Lline" for links to the source (a repository's blob URL at the commit,
/// or file:///path/to/tree/).
std::string renderHtml(const nlohmann::json& report, const std::string& source_url = "");

}  // namespace parity
