#pragma once
// Backend parity annotations. Each one sits as the first statement of the function that
// implements (or refuses) a feature for a backend, so deleting the function deletes the claim:
//
//   PARITY_IMPL(workspace_stop, docker, "force-removes the container");
//   PARITY_UNSUPPORTED(plugins_install, controlplane, "no live delivery to instances", "roadmap#plugins");
//   PARITY_DIVERGES(workspace_restart, "what differs", "roadmap#...");
//   PARITY_UNBUILT(memory_seed, "why this server has no such feature yet", "roadmap#memory");
//
// And the first statement of each dispatcher (a function whose name ends in the checks'
// DispatcherSuffix, or a gate they name; both in .clang-tidy) says what it does when no backend
// is wired and who may bypass it:
//
//   PARITY_DISPATCHER(stopWorkspaceAuto, "nothing to stop: succeeds", "the backends' own bodies");
//
// They expand to static_asserts over the enums below, so an unknown feature or backend does
// not compile, and they cost nothing at run time. `parity` reads them as tokens and renders the
// matrix (docs/backends.md in this repository); every argument must therefore be a literal.
//
// The enums come from the project's features list, included as "features.def" from the
// include path (PARITY_BACKEND, PARITY_AREA and PARITY_FEATURE lines; docs/toolchain.md).

#include <cstddef>
#include <source_location>
#include <string_view>

namespace parity {

enum class Feature {
#define PARITY_BACKEND(id, title)
#define PARITY_AREA(id, title)
#define PARITY_FEATURE(id, area, title) id,
#include "features.def"
#undef PARITY_FEATURE
#undef PARITY_AREA
#undef PARITY_BACKEND
};

/// The matrix columns (PARITY_BACKEND in the features list).
enum class Backend {
#define PARITY_BACKEND(id, title) id,
#define PARITY_AREA(id, title)
#define PARITY_FEATURE(id, area, title)
#include "features.def"
#undef PARITY_FEATURE
#undef PARITY_AREA
#undef PARITY_BACKEND
};

/// The backends' ids in the same order, for tools that run something per column (the contract
/// suites' typed tests): a backend added to the features list is here too.
inline constexpr const char* kBackendIds[] = {
#define PARITY_BACKEND(id, title) #id,
#define PARITY_AREA(id, title)
#define PARITY_FEATURE(id, area, title)
#include "features.def"
#undef PARITY_FEATURE
#undef PARITY_AREA
#undef PARITY_BACKEND
};
inline constexpr std::size_t kBackendCount = sizeof(kBackendIds) / sizeof(kBackendIds[0]);

constexpr bool annotated(Feature /*feature*/) { return true; }
constexpr bool annotated(Feature /*feature*/, Backend /*backend*/) { return true; }

/// Whether the compiler's name of a function, `function` (e.g. "ws::Result<> ws::X::stopAuto(int)"),
/// is the function `name`: PARITY_DISPATCHER(verb, ...) must sit in the function called verb.
constexpr bool namesFunction(std::string_view function, std::string_view name) {
  auto word = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'; };
  for (std::size_t at = function.find(name); at != std::string_view::npos; at = function.find(name, at + 1)) {
    const std::size_t end = at + name.size();
    if ((at == 0 || !word(function[at - 1])) && end < function.size() && function[end] == '(') return true;
  }
  return false;
}

}  // namespace parity

#define PARITY_IMPL(feature, backend, how) \
  static_assert(::parity::annotated(::parity::Feature::feature, ::parity::Backend::backend), how)
#define PARITY_UNSUPPORTED(feature, backend, why, tracking) \
  static_assert(::parity::annotated(::parity::Feature::feature, ::parity::Backend::backend), why " " tracking)
#define PARITY_DIVERGES(feature, what, tracking) \
  static_assert(::parity::annotated(::parity::Feature::feature), what " " tracking)
#define PARITY_UNBUILT(feature, why, tracking) \
  static_assert(::parity::annotated(::parity::Feature::feature), why " " tracking)
#define PARITY_DISPATCHER(verb, fallback, exceptions)                                            \
  static_assert(::parity::namesFunction(std::source_location::current().function_name(), #verb), \
                "PARITY_DISPATCHER(" #verb ", ...) must sit in the function " #verb ": " fallback " " exceptions)
