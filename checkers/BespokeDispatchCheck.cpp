//===--- BespokeDispatchCheck.cpp - parity checks ---------------*- C++ -*-===//
#include "BespokeDispatchCheck.h"

#include "BackendTypes.h"
#include "clang-tidy/utils/OptionsUtils.h"
#include "clang/ASTMatchers/ASTMatchFinder.h"

using namespace clang;
using namespace clang::ast_matchers;

namespace parity::tidy {
namespace {

AST_MATCHER_P(Expr, isBackendHandle, std::string, Interface) {
  return backendHandle(&Node, Interface) != nullptr;
}

AST_MATCHER_P(FunctionDecl, nameEndsWith, std::string, Suffix) {
  return Node.getDeclName().isIdentifier() && Node.getName().ends_with(Suffix);
}

}  // namespace

BespokeDispatchCheck::BespokeDispatchCheck(llvm::StringRef Name, clang::tidy::ClangTidyContext* Context)
    : ClangTidyCheck(Name, Context),
      InterfaceName(Options.get("InterfaceName", kDefaultInterface)),
      MethodNames(Options.get("MethodNames", kDefaultMethods)),
      DispatcherSuffix(Options.get("DispatcherSuffix", "Auto")) {}

void BespokeDispatchCheck::storeOptions(clang::tidy::ClangTidyOptions::OptionMap& Opts) {
  Options.store(Opts, "InterfaceName", InterfaceName);
  Options.store(Opts, "MethodNames", MethodNames);
  Options.store(Opts, "DispatcherSuffix", DispatcherSuffix);
}

void BespokeDispatchCheck::registerMatchers(MatchFinder* Finder) {
  const auto Methods = clang::tidy::utils::options::parseStringList(MethodNames);
  const auto BackendCall =
      cxxMemberCallExpr(callee(cxxMethodDecl(hasAnyName(Methods), ofClass(cxxRecordDecl(isSameOrDerivedFrom(InterfaceName))))
                                   .bind("method")));
  const auto HandleRef = expr(isBackendHandle(InterfaceName));
  Finder->addMatcher(
      functionDecl(unless(isExpansionInSystemHeader()), isDefinition(), unless(nameEndsWith(DispatcherSuffix)),
                   forEachDescendant(ifStmt(hasCondition(anyOf(HandleRef, hasDescendant(HandleRef))),
                                            hasThen(anyOf(BackendCall, hasDescendant(BackendCall))))
                                         .bind("if")))
          .bind("fn"),
      this);
}

void BespokeDispatchCheck::check(const MatchFinder::MatchResult& Result) {
  const auto* If = Result.Nodes.getNodeAs<IfStmt>("if");
  const auto* Method = Result.Nodes.getNodeAs<CXXMethodDecl>("method");
  if (!If || !Method || Reported.count(If)) return;
  for (const Stmt* Else = If->getElse(); Else; ) {  // one report per if / else-if chain
    const auto* Link = dyn_cast<IfStmt>(Else);
    if (!Link) break;
    Reported.insert(Link);
    Else = Link->getElse();
  }
  diag(If->getIfLoc(), "bespoke backend dispatch: branching on which backend is wired to call '%0'; add a "
                       "%1WorkspaceAuto dispatcher on WorkspaceHandler and call it")
      << Method->getName() << capitalize(Method->getName());
}

}  // namespace parity::tidy
