//===--- TraversalScope.h - parity checks -----------------------*- C++ -*-===//
// Keeps the matchers out of system headers: the AST walk visits only the top-level
// declarations that are not in a system header.
//===----------------------------------------------------------------------===//
#pragma once

#include "clang/ASTMatchers/ASTMatchFinder.h"

namespace parity::tidy {

/// Registers a callback on the translation unit that narrows the AST
/// context's traversal scope to the top-level declarations outside system headers. The finder
/// matches the translation unit before it walks its children, and the walk honours the scope,
/// so nodes of system headers (the standard library, JSON, logging: most of a translation
/// unit) are never visited. What the checks report is unchanged: they never report in system
/// headers, and a user declaration's body is still walked whole, template instantiations
/// included (through its template). The scope applies to every check of the run, as
/// clang-tidy itself does from LLVM 21 on when system headers are not analysed.
void limitTraversalToUserCode(clang::ast_matchers::MatchFinder* Finder);

}  // namespace parity::tidy
