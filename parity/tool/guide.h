#pragma once
// The sections of the matrix doc around the matrix: how to dispatch (from the dispatchers'
// annotations), drift risks (from the rows), enforcement (gates and checks), the checklist for a
// new dispatch site, and where the last verification is recorded. Each returns Markdown that
// starts with its "## " heading and ends with a blank line.

#include <string>

#include "model.h"

namespace parity {

std::string renderDispatch(const Model& model);
std::string renderDriftRisks(const Model& model);
std::string renderEnforcement(const Model& model);
std::string renderChecklist(const Model& model);
std::string renderLastVerified();

}  // namespace parity
