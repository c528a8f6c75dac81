//===--- ProvisioningGateCheck.cpp - parity checks --------------*- C++ -*-===//
#include "ProvisioningGateCheck.h"
#include "TraversalScope.h"

#include "clang-tidy/utils/OptionsUtils.h"
#include "clang/ASTMatchers/ASTMatchFinder.h"

using namespace clang;
using namespace clang::ast_matchers;

namespace parity::tidy {

ProvisioningGateCheck::ProvisioningGateCheck(llvm::StringRef Name, clang::tidy::ClangTidyContext* Context)
    : ClangTidyCheck(Name, Context),
      Functions(Options.get("Functions", "")),
      GateFunction(Options.get("GateFunction", "")) {
  if (!Functions.empty() && GateFunction.empty()) configurationDiag("Functions are listed but GateFunction is empty");
}

void ProvisioningGateCheck::storeOptions(clang::tidy::ClangTidyOptions::OptionMap& Opts) {
  Options.store(Opts, "Functions", Functions);
  Options.store(Opts, "GateFunction", GateFunction);
}

void ProvisioningGateCheck::registerMatchers(MatchFinder* Finder) {
  const auto Names = clang::tidy::utils::options::parseStringList(Functions);
  if (Names.empty() || GateFunction.empty()) return;  // unconfigured: nothing to gate
  limitTraversalToUserCode(Finder);
  Finder->addMatcher(functionDecl(isDefinition(), hasAnyName(Names),
                                  unless(hasDescendant(callExpr(callee(functionDecl(hasName(GateFunction)))))))
                         .bind("fn"),
                     this);
}

void ProvisioningGateCheck::check(const MatchFinder::MatchResult& Result) {
  const auto* Fn = Result.Nodes.getNodeAs<FunctionDecl>("fn");
  if (!Fn) return;
  diag(Fn->getLocation(), "'%0' does not gate on %1(); a path without the gate silently skips backends")
      << Fn->getQualifiedNameAsString() << GateFunction;
}

}  // namespace parity::tidy
