//===--- BespokeDispatchCheck.h - parity checks -----------------*- C++ -*-===//
#pragma once

#include "clang-tidy/ClangTidyCheck.h"

#include <set>
#include <string>

namespace parity::tidy {

/// Flags an if / else-if that branches on which backend is wired and calls backend methods in
/// its branches, outside a *Auto dispatcher: the next verb must land as a dispatcher mirror,
/// not as another bespoke dispatch site ("add a <Op>WorkspaceAuto dispatcher").
///
/// Options: InterfaceName, MethodNames, DispatcherSuffix (default "Auto").
class BespokeDispatchCheck : public clang::tidy::ClangTidyCheck {
 public:
  BespokeDispatchCheck(llvm::StringRef Name, clang::tidy::ClangTidyContext* Context);
  void storeOptions(clang::tidy::ClangTidyOptions::OptionMap& Opts) override;
  void registerMatchers(clang::ast_matchers::MatchFinder* Finder) override;
  void check(const clang::ast_matchers::MatchFinder::MatchResult& Result) override;
  void onEndOfTranslationUnit() override { Reported.clear(); }

 private:
  const std::string InterfaceName;
  const std::string MethodNames;
  const std::string DispatcherSuffix;
  std::set<const clang::IfStmt*> Reported;  ///< else-if links of chains already reported
};

}  // namespace parity::tidy
