#pragma once
// A C++ token scanner just big enough to read macro invocations: it skips comments,
// preprocessor directives and the insides of string and character literals, and returns each
// call of a watched macro with its arguments and the line of its name.

#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace parity {

/// One macro argument: either an identifier (`word`) or one or more adjacent string
/// literals joined (`text`). Anything else is kept as `raw` so that the caller can refuse it.
struct Argument {
  enum class Kind { identifier, string, other } kind = Kind::other;
  std::string value;
};

struct MacroCall {
  std::string name;
  int line = 0;
  std::vector<Argument> args;
  std::string error;  ///< Set when the call could not be read (unbalanced parentheses).
};

std::vector<MacroCall> scanMacroCalls(std::string_view source, const std::set<std::string, std::less<>>& names);

/// A function definition: `name(...)` (after an optional `A::B::` qualification) followed by
/// its body, possibly after `const`, `noexcept`, `override`, `final`, ref-qualifiers or a
/// trailing return type. Calls (`x.fAuto(...)`, `fAuto(...);`) and declarations are not.
struct FunctionDefinition {
  std::string name;       ///< Unqualified.
  std::string qualified;  ///< As written: `WorkspaceService::stopWorkspaceAuto`.
  int line = 0;           ///< Of the name.
  int body_begin = 0, body_end = 0;  ///< Lines of the body's braces.
};

/// Everything that looks like a function definition (keywords such as `if (...) {` excluded;
/// a macro invocation followed by a brace, like `TEST(a, b) {`, is included).
std::vector<FunctionDefinition> scanFunctionDefinitions(std::string_view source);

}  // namespace parity
