#pragma once
// The matrix doc (Layout::doc) from the model alone (no test results), so that staleness is a
// byte diff; and the same matrix as JSON for the dashboard (without source lines, so that it
// changes only when a row or a cell does).

#include <string>

#include "model.h"

namespace parity {

std::string renderMarkdown(const Model& model);
/// {backends:[{id,title}], areas:[{id,title,features:[{id,title,verdict,note?,cells:{backend:
/// {disposition,text}},scenarios:[name]}]}], totals:{verdict:rows}}
std::string renderJson(const Model& model);

}  // namespace parity
