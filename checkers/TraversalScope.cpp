//===--- TraversalScope.cpp - parity checks ---------------------*- C++ -*-===//
#include "TraversalScope.h"

#include "clang/AST/ASTContext.h"
#include "clang/Basic/SourceManager.h"

#include <vector>

using namespace clang;
using namespace clang::ast_matchers;

namespace parity::tidy {
namespace {

class UserCodeScope : public MatchFinder::MatchCallback {
 public:
  void run(const MatchFinder::MatchResult& Result) override {
    ASTContext& Ctx = *Result.Context;
    const auto Scope = Ctx.getTraversalScope();
    if (Scope.size() != 1 || !isa<TranslationUnitDecl>(Scope.front())) return;  // already narrowed
    const SourceManager& SM = Ctx.getSourceManager();
    std::vector<Decl*> Keep;
    for (Decl* D : Ctx.getTranslationUnitDecl()->decls())
      if (!SM.isInSystemHeader(SM.getExpansionLoc(D->getLocation()))) Keep.push_back(D);
    Ctx.setTraversalScope(Keep);
  }
  llvm::StringRef getID() const override { return "parity-traversal-scope"; }
};

}  // namespace

void limitTraversalToUserCode(MatchFinder* Finder) {
  // Each check registers it: the first run narrows the scope, the others find it narrowed.
  static UserCodeScope Callback;
  Finder->addMatcher(translationUnitDecl(), &Callback);
}

}  // namespace parity::tidy
