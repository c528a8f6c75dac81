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

std::string renderHtml(const nlohmann::json& report);

}  // namespace parity
