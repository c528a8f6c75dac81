//===--- BareBackendNullCheckCheck.h - parity checks ------------*- C++ -*-===//
#pragma once

#include "clang-tidy/ClangTidyCheck.h"

#include <string>

namespace parity::tidy {

/// Flags a hand-written "are both backends null?" test (`a == nullptr && b == nullptr`,
/// `!a && !b`, also inside longer && chains) and its positive or negated form
/// (`a || b`, `!(a || b)`, `a != nullptr || b != nullptr`) outside the gate function (the
/// first of AllowedFunctions, named in the message).
///
/// Options: InterfaceName, AllowedFunctions (;-separated names).
class BareBackendNullCheckCheck : public clang::tidy::ClangTidyCheck {
 public:
  BareBackendNullCheckCheck(llvm::StringRef Name, clang::tidy::ClangTidyContext* Context);
  void storeOptions(clang::tidy::ClangTidyOptions::OptionMap& Opts) override;
  void registerMatchers(clang::ast_matchers::MatchFinder* Finder) override;
  void check(const clang::ast_matchers::MatchFinder::MatchResult& Result) override;

 private:
  const std::string InterfaceName;
  const std::string AllowedFunctions;
  std::string GateAdvice[2];  ///< what to write instead: [0] for "some backend", [1] for "none"
};

}  // namespace parity::tidy
