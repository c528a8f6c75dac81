//===--- BespokeDispatchCheck.h - parity checks -----------------*- C++ -*-===//
#pragma once

#include "clang-tidy/ClangTidyCheck.h"

#include <set>
#include <string>
#include <vector>

namespace parity::tidy {

/// Flags code outside a dispatcher (a function named *DispatcherSuffix) that chooses a backend
/// and calls it: the next verb must land as a dispatcher (on DispatcherClass), not as another
/// bespoke dispatch site. The shapes:
///  - an if / else-if that branches on which backend is wired and calls backend methods in
///    its branches (one report per chain), and the same as a conditional operator
///    (`cp ? cp->stop(id) : docker->stop(id)`);
///  - a conditional operator that picks the backend a method is called on, directly
///    (`(cp ? cp.get() : docker)->stop(id)`) or through a variable (`auto& p = cp ? *cp :
///    *docker; p.stop(id);`);
///  - a switch whose cases call methods of two or more backends, or store the backend that a
///    variable is later called through; an if / else that stores it.
///
/// Options: InterfaceName, MethodNames, DispatcherSuffix, DispatcherClass (named in the message).
class BespokeDispatchCheck : public clang::tidy::ClangTidyCheck {
 public:
  BespokeDispatchCheck(llvm::StringRef Name, clang::tidy::ClangTidyContext* Context);
  void storeOptions(clang::tidy::ClangTidyOptions::OptionMap& Opts) override;
  void registerMatchers(clang::ast_matchers::MatchFinder* Finder) override;
  void check(const clang::ast_matchers::MatchFinder::MatchResult& Result) override;
  void onEndOfTranslationUnit() override { Reported.clear(); }

 private:
  void checkIfChain(const clang::IfStmt* If, const clang::CXXMethodDecl* Method);
  void checkSelections(const clang::FunctionDecl* Fn);
  void report(const clang::Stmt* Site, const clang::CXXMethodDecl* Method, int Shape);

  const std::string InterfaceName;
  const std::string MethodNames;
  const std::string DispatcherSuffix;
  const std::string DispatcherClass;
  std::vector<llvm::StringRef> Methods;
  std::set<const clang::Stmt*> Reported;  ///< sites already reported (and else-if links of chains)
};

}  // namespace parity::tidy
