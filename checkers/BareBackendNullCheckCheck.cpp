//===--- BareBackendNullCheckCheck.cpp - parity checks ----------*- C++ -*-===//
#include "BareBackendNullCheckCheck.h"
#include "TraversalScope.h"

#include "BackendTypes.h"
#include "clang-tidy/utils/OptionsUtils.h"
#include "clang/ASTMatchers/ASTMatchFinder.h"
#include "llvm/ADT/SmallPtrSet.h"

using namespace clang;
using namespace clang::ast_matchers;

namespace parity::tidy {
namespace {

const BinaryOperator* asLogical(const Expr* E, BinaryOperatorKind Op) {
  const auto* B = dyn_cast<BinaryOperator>(E->IgnoreParens());
  return B && B->getOpcode() == Op ? B : nullptr;
}

// The operands of a chain `x OP y OP z`, however it is parenthesised; inner operators of the
// chain are recorded so that the chain is judged once, from its top.
void flatten(const BinaryOperator* B, llvm::SmallVectorImpl<const Expr*>& Leaves,
             llvm::SmallPtrSetImpl<const BinaryOperator*>& Inner) {
  for (const Expr* Side : {B->getLHS(), B->getRHS()}) {
    if (const BinaryOperator* Same = asLogical(Side, B->getOpcode())) {
      Inner.insert(Same);
      flatten(Same, Leaves, Inner);
    } else {
      Leaves.push_back(Side);
    }
  }
}

}  // namespace

BareBackendNullCheckCheck::BareBackendNullCheckCheck(llvm::StringRef Name, clang::tidy::ClangTidyContext* Context)
    : ClangTidyCheck(Name, Context),
      InterfaceName(Options.get("InterfaceName", "")),
      AllowedFunctions(Options.get("AllowedFunctions", "")) {
  // The fix names the gate: the first allowed function, unqualified.
  const auto Allowed = clang::tidy::utils::options::parseStringList(AllowedFunctions);
  llvm::StringRef Gate = Allowed.empty() ? llvm::StringRef() : Allowed.front();
  if (const size_t Colons = Gate.rfind("::"); Colons != llvm::StringRef::npos) Gate = Gate.drop_front(Colons + 2);
  GateAdvice[0] = Gate.empty() ? "one named gate function (AllowedFunctions)" : (Gate + "()").str();
  GateAdvice[1] = Gate.empty() ? GateAdvice[0] : "!" + GateAdvice[0];
}

void BareBackendNullCheckCheck::storeOptions(clang::tidy::ClangTidyOptions::OptionMap& Opts) {
  Options.store(Opts, "InterfaceName", InterfaceName);
  Options.store(Opts, "AllowedFunctions", AllowedFunctions);
}

void BareBackendNullCheckCheck::registerMatchers(MatchFinder* Finder) {
  if (InterfaceName.empty()) return;  // unconfigured: nothing is a backend
  limitTraversalToUserCode(Finder);
  // Top-down from each function: no parent map, and system headers are skipped first.
  Finder->addMatcher(
      functionDecl(unless(isExpansionInSystemHeader()), isDefinition(),
                   unless(hasAnyName(clang::tidy::utils::options::parseStringList(AllowedFunctions))))
          .bind("fn"),
      this);
}

void BareBackendNullCheckCheck::check(const MatchFinder::MatchResult& Result) {
  const auto* Fn = Result.Nodes.getNodeAs<FunctionDecl>("fn");
  if (!Fn || !Fn->getBody()) return;
  llvm::SmallPtrSet<const BinaryOperator*, 8> Inner;
  llvm::SmallVector<const Stmt*, 64> Work{Fn->getBody()};
  while (!Work.empty()) {
    const Stmt* S = Work.pop_back_val();
    if (!S) continue;
    for (const Stmt* Child : S->children()) Work.push_back(Child);
    const auto* B = dyn_cast<BinaryOperator>(S);
    if (!B || !B->isLogicalOp() || Inner.contains(B)) continue;
    llvm::SmallVector<const Expr*, 4> Leaves;
    flatten(B, Leaves, Inner);
    // && of null tests means "no backend"; || of non-null tests means "some backend".
    const bool WantNull = B->getOpcode() == BO_LAnd;
    llvm::SmallPtrSet<const ValueDecl*, 4> Handles;
    for (const Expr* Leaf : Leaves) {
      const HandleTest T = classifyHandleTest(Leaf, InterfaceName);
      if (T.Handle && T.IsNullTest == WantNull) Handles.insert(T.Handle);
    }
    if (Handles.size() < 2) continue;
    diag(B->getOperatorLoc(), "bare test that %select{some backend is wired|every backend is null}0; use %1")
        << WantNull << GateAdvice[WantNull];
  }
}

}  // namespace parity::tidy
