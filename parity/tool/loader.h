#pragma once
// Internal to the model's loader: reading the tree and reporting problems, shared by the parts
// that read rows and cells (model.cpp), dispatchers (dispatchers.cpp) and gates and checks
// (enforcement.cpp).

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "model.h"
#include "scanner.h"

namespace parity {

std::string readFile(const std::filesystem::path& p);
/// C++ files under root/dir, sorted, as paths relative to root.
std::vector<std::filesystem::path> cxxFiles(const std::filesystem::path& root, const std::filesystem::path& dir);

/// "a, b" (each item followed by `suffix`), for messages.
std::string joined(const std::vector<std::string>& items, const std::string& suffix = "");

void addError(Model& m, const Location& at, const std::string& what);
/// Requires `call` to have exactly the argument kinds in `shape` ('i' identifier, 's' string).
bool shaped(Model& m, const MacroCall& call, const Location& at, std::string_view shape);

/// Dispatcher definitions in the source directories (m.layout.sources) and their
/// PARITY_DISPATCHER annotations; which functions are dispatchers comes from .clang-tidy.
void loadDispatchers(const std::filesystem::path& root, Model& m);
/// The gates (m.layout.gates), and the checks from their registrations, docs and options.
void loadEnforcement(const std::filesystem::path& root, Model& m);

}  // namespace parity
