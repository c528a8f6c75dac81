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
      Functions(Options.get("Functions", "importOrgWorkspaces")),
      GateFunction(Options.get("GateFunction", "hasProvisioner")) {}

void ProvisioningGateCheck::storeOptions(clang::tidy::ClangTidyOptions::OptionMap& Opts) {
  Options.store(Opts, "Functions", Functions);
  Options.store(Opts, "GateFunction", GateFunction);
}

void ProvisioningGateCheck::registerMatchers(MatchFinder* Finder) {
  limitTraversalToUserCode(Finder);
  const auto Names = clang::tidy::utils::options::parseStringList(Functions);
  if (Names.empty()) return;
  Finder->addMatcher(functionDecl(isDefinition(), hasAnyName(Names),
                                  unless(hasDescendant(callExpr(callee(functionDecl(hasName(GateFunction)))))))
                         .bind("fn"),
                     this);
}

void ProvisioningGateCheck::check(const MatchFinder::MatchResult& Result) {
  const auto* Fn = Result.Nodes.getNodeAs<FunctionDecl>("fn");
  if (!Fn) return;
  diag(Fn->getLocation(), "'%0' provisions workspaces but does not gate on %1(); a path without the gate "
                          "silently skips backends")
      << Fn->getQualifiedNameAsString() << GateFunction;
}

}  // namespace parity::tidy
