#pragma once
// docs/backends.md from the model alone (no test results), so that staleness is a byte diff.

#include <string>

#include "model.h"

namespace parity {

inline constexpr const char* kRenderCommand = "build/bin/parity render";

std::string renderMarkdown(const Model& model);

}  // namespace parity
