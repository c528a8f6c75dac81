#pragma once
// What the parity tool takes from the clang-tidy configuration (.clang-tidy at the source
// root), so that the tool and the checks agree on what a dispatcher is without a second list.

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace parity {

/// `CheckOptions` of a .clang-tidy file, as key -> value. Reads the map form
/// (`  check.Option: 'value'`) and the list form (`- key: check.Option` / `value: ...`).
std::map<std::string, std::string> readCheckOptions(const std::string& clang_tidy_text);

/// A `;`-separated option value, trimmed, without empty items.
std::vector<std::string> splitList(const std::string& value);

inline constexpr const char* kSuffixOption = "parity-bespoke-dispatch.DispatcherSuffix";
/// Read when kSuffixOption is not set: the same suffix as parity-direct-backend-call names it.
inline constexpr const char* kDirectSuffixOption = "parity-direct-backend-call.DispatcherSuffix";
inline constexpr const char* kGateOption = "parity-provisioning-gate.GateFunction";
inline constexpr const char* kNullCheckOption = "parity-bare-backend-null-check.AllowedFunctions";
inline constexpr const char* kAllowedFilesOption = "parity-direct-backend-call.AllowedFiles";

/// Which functions are dispatchers: those whose name ends in `suffix` (as
/// parity-bespoke-dispatch sees them) and the "is any backend wired?" gates the checks name.
/// Like the checks' options, empty by default: without a .clang-tidy naming them, a project
/// has no dispatchers.
struct DispatchConfig {
  std::string suffix;
  std::vector<std::string> gates;  ///< Unqualified names, from kGateOption and kNullCheckOption.
  std::vector<std::string> allowed_files;  ///< kAllowedFilesOption: may call a backend directly.
  std::map<std::string, std::string> options;  ///< Every CheckOptions entry, for the doc.

  bool isDispatcher(const std::string& name) const;
};

/// Reads <root>/.clang-tidy; the (empty) defaults when there is none.
DispatchConfig readDispatchConfig(const std::filesystem::path& root);

}  // namespace parity
