//===--- BespokeDispatchCheck.cpp - parity checks ---------------*- C++ -*-===//
#include "BespokeDispatchCheck.h"
#include "TraversalScope.h"

#include "BackendTypes.h"
#include "clang-tidy/utils/OptionsUtils.h"
#include "clang/ASTMatchers/ASTMatchFinder.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallPtrSet.h"

using namespace clang;
using namespace clang::ast_matchers;

namespace parity::tidy {
namespace {

AST_MATCHER_P(Expr, isBackendHandle, std::string, Interface) {
  return backendHandle(&Node, Interface) != nullptr;
}

AST_MATCHER_P(FunctionDecl, nameEndsWith, std::string, Suffix) {
  return !Suffix.empty() && Node.getDeclName().isIdentifier() && Node.getName().ends_with(Suffix);
}

// The call operator of a lambda written inside a function: its body is judged as part of that
// function (a lambda inside a dispatcher belongs to the dispatcher).
AST_MATCHER(FunctionDecl, isLambdaInFunction) {
  const auto* Method = dyn_cast<CXXMethodDecl>(&Node);
  if (!Method || !Method->getParent()->isLambda()) return false;
  for (const DeclContext* DC = Method->getParent()->getDeclContext(); DC; DC = DC->getParent())
    if (isa<FunctionDecl>(DC)) return true;
  return false;
}

enum Shape { kIfOnHandle, kConditional, kSwitch, kIf };

/// An if-chain (by its head) or a switch enclosing a statement, and which of its branches
/// (then / else-if / else, or case label) the statement is in.
struct Choice {
  const Stmt* Site;
  unsigned Branch;
};

/// One walk over a function body: the backend calls and where each sits, and what the local
/// variables holding a backend are assigned.
class Walk {
 public:
  struct Call {
    const CXXMethodDecl* Method;
    const Expr* Origin;  ///< where the called backend was chosen (backendOrigin)
    std::vector<Choice> Choices;
  };
  struct Def {
    const Expr* Origin;
    const Stmt* Choice;  ///< innermost enclosing if-chain or switch, or null
    bool IsInit;
  };

  Walk(llvm::StringRef Interface, const std::vector<llvm::StringRef>& Methods)
      : Interface(Interface), Methods(Methods) {}

  const CXXMethodDecl* backendMethod(const Stmt* S) const {
    const auto* Call = dyn_cast<CXXMemberCallExpr>(S);
    if (!Call) return nullptr;
    const CXXMethodDecl* M = Call->getMethodDecl();
    return isBackendMethod(M, Interface, Methods) ? M : nullptr;
  }

  /// The method of the first backend call in `S`, or null.
  const CXXMethodDecl* firstBackendCall(const Stmt* S) const {
    if (!S) return nullptr;
    if (const CXXMethodDecl* M = backendMethod(S)) return M;
    for (const Stmt* Child : S->children())
      if (const CXXMethodDecl* M = firstBackendCall(Child)) return M;
    return nullptr;
  }

  bool mentionsHandle(const Stmt* S) const {
    if (!S) return false;
    if (const auto* E = dyn_cast<Expr>(S); E && backendHandle(E, Interface)) return true;
    for (const Stmt* Child : S->children())
      if (mentionsHandle(Child)) return true;
    return false;
  }

  /// The first shape: an if whose condition tests a backend and whose branch calls one,
  /// anywhere in an if / else-if chain (reported by the matcher on if statements).
  bool isChainOnHandle(const IfStmt* If) const {
    for (; If; If = dyn_cast_or_null<IfStmt>(If->getElse()))
      if (mentionsHandle(If->getCond()) && firstBackendCall(If->getThen())) return true;
    return false;
  }

  void visit(const Stmt* S) {
    if (!S) return;
    if (const auto* If = dyn_cast<IfStmt>(S)) return visitIfChain(If);
    if (const auto* Switch = dyn_cast<SwitchStmt>(S)) {
      visit(Switch->getInit());
      visit(Switch->getConditionVariableDeclStmt());
      visit(Switch->getCond());
      Choices.push_back({Switch, 0});
      visit(Switch->getBody());
      Choices.pop_back();
      return;
    }
    if (isa<SwitchCase>(S))
      for (auto It = Choices.rbegin(); It != Choices.rend(); ++It)
        if (isa<SwitchStmt>(It->Site)) {
          ++It->Branch;
          break;
        }
    record(S);
    for (const Stmt* Child : S->children()) visit(Child);
  }

  std::vector<Call> Calls;
  llvm::DenseMap<const ValueDecl*, std::vector<Def>> Defs;
  llvm::DenseMap<const ValueDecl*, const Stmt*> DeclaredIn;  ///< innermost choice; parameters: none
  std::vector<const AbstractConditionalOperator*> Conditionals;

 private:
  const Stmt* innermost() const { return Choices.empty() ? nullptr : Choices.back().Site; }

  void visitHeader(const IfStmt* If) {
    visit(If->getInit());
    visit(If->getConditionVariableDeclStmt());
    visit(If->getCond());
  }

  // The head's condition is outside the chain's branches; an else-if's sits in the else.
  void visitIfChain(const IfStmt* Head) {
    visitHeader(Head);
    Choices.push_back({Head, 0});
    for (const IfStmt* Link = Head;;) {
      visit(Link->getThen());
      ++Choices.back().Branch;
      const auto* Next = dyn_cast_or_null<IfStmt>(Link->getElse());
      if (!Next) {
        visit(Link->getElse());
        break;
      }
      visitHeader(Next);
      Link = Next;
    }
    Choices.pop_back();
  }

  // An assignment to a local variable or parameter holding a backend.
  void assign(const Expr* Target, const Expr* Value) {
    const auto* Ref = dyn_cast<DeclRefExpr>(Target->IgnoreParenImpCasts());
    if (!Ref || !isa<VarDecl>(Ref->getDecl()) || !isBackendHandleType(Ref->getDecl()->getType(), Interface)) return;
    Defs[Ref->getDecl()].push_back({backendOrigin(Value), innermost(), /*IsInit=*/false});
  }

  void record(const Stmt* S) {
    if (const CXXMethodDecl* M = backendMethod(S)) {
      const auto* Call = cast<CXXMemberCallExpr>(S);
      Calls.push_back({M, backendOrigin(Call->getImplicitObjectArgument()), Choices});
    } else if (const auto* Decls = dyn_cast<DeclStmt>(S)) {
      for (const Decl* D : Decls->decls())
        if (const auto* Var = dyn_cast<VarDecl>(D); Var && isBackendHandleType(Var->getType(), Interface)) {
          DeclaredIn[Var] = innermost();
          if (Var->getInit()) Defs[Var].push_back({backendOrigin(Var->getInit()), innermost(), /*IsInit=*/true});
        }
    } else if (const auto* Assign = dyn_cast<BinaryOperator>(S); Assign && Assign->getOpcode() == BO_Assign) {
      assign(Assign->getLHS(), Assign->getRHS());
    } else if (const auto* Op = dyn_cast<CXXOperatorCallExpr>(S);
               Op && Op->getOperator() == OO_Equal && Op->getNumArgs() == 2) {
      assign(Op->getArg(0), Op->getArg(1));
    } else if (const auto* Cond = dyn_cast<AbstractConditionalOperator>(S)) {
      Conditionals.push_back(Cond);
    }
  }

  llvm::StringRef Interface;
  const std::vector<llvm::StringRef>& Methods;
  std::vector<Choice> Choices;
};

}  // namespace

BespokeDispatchCheck::BespokeDispatchCheck(llvm::StringRef Name, clang::tidy::ClangTidyContext* Context)
    : ClangTidyCheck(Name, Context),
      InterfaceName(Options.get("InterfaceName", "")),
      MethodNames(Options.get("MethodNames", "")),
      DispatcherSuffix(Options.get("DispatcherSuffix", "")),
      DispatcherClass(Options.get("DispatcherClass", "")),
      Methods(clang::tidy::utils::options::parseStringList(MethodNames)) {}

void BespokeDispatchCheck::storeOptions(clang::tidy::ClangTidyOptions::OptionMap& Opts) {
  Options.store(Opts, "InterfaceName", InterfaceName);
  Options.store(Opts, "MethodNames", MethodNames);
  Options.store(Opts, "DispatcherSuffix", DispatcherSuffix);
  Options.store(Opts, "DispatcherClass", DispatcherClass);
}

void BespokeDispatchCheck::registerMatchers(MatchFinder* Finder) {
  if (InterfaceName.empty()) return;  // unconfigured: nothing is a backend
  limitTraversalToUserCode(Finder);
  const auto BackendCall = cxxMemberCallExpr(callee(cxxMethodDecl(backendMethod(InterfaceName, Methods)).bind("method")));
  const auto HandleRef = expr(isBackendHandle(InterfaceName));
  // Without a suffix no function is a dispatcher: every choice is reported.
  const auto Judged = functionDecl(unless(isExpansionInSystemHeader()), isDefinition(),
                                   unless(nameEndsWith(DispatcherSuffix)), unless(isLambdaInFunction()));
  // if (cp) cp->stop(id); else if (docker) docker->stop(id);
  Finder->addMatcher(functionDecl(Judged, forEachDescendant(ifStmt(hasCondition(anyOf(HandleRef, hasDescendant(HandleRef))),
                                                                   hasThen(anyOf(BackendCall, hasDescendant(BackendCall))))
                                                                .bind("if"))),
                     this);
  // Everything else chooses a backend by a conditional operator, a switch or an if that
  // stores it: one walk per function body (top-down, no parent map).
  Finder->addMatcher(functionDecl(Judged).bind("fn"), this);
}

void BespokeDispatchCheck::report(const Stmt* Site, const CXXMethodDecl* Method, int Shape) {
  if (!Reported.insert(Site).second) return;
  if (const auto* If = dyn_cast<IfStmt>(Site))  // one report per if / else-if chain
    for (const auto* Link = dyn_cast_or_null<IfStmt>(If->getElse()); Link; Link = dyn_cast_or_null<IfStmt>(Link->getElse()))
      Reported.insert(Link);
  SourceLocation Loc = Site->getBeginLoc();
  if (const auto* If = dyn_cast<IfStmt>(Site)) Loc = If->getIfLoc();
  if (const auto* Switch = dyn_cast<SwitchStmt>(Site)) Loc = Switch->getSwitchLoc();
  if (const auto* Cond = dyn_cast<AbstractConditionalOperator>(Site)) Loc = Cond->getQuestionLoc();
  const std::string Named = DispatcherSuffix.empty() ? "" : " (a " + std::string(DispatcherClass.empty() ? "function" : "member") +
                                                               " named *" + DispatcherSuffix + ")";
  const std::string Fix =
      "call its dispatcher" + (DispatcherClass.empty() ? "" : " on " + DispatcherClass) + Named + ", or add one";
  if (Shape == kIfOnHandle)
    diag(Loc, "bespoke backend dispatch: branching on which backend is wired to call '%0'; %1") << Method->getName() << Fix;
  else
    diag(Loc, "bespoke backend dispatch: %select{a conditional operator|a switch|an if}0 chooses the backend to call "
              "'%1'; %2")
        << (Shape - kConditional) << Method->getName() << Fix;
}

void BespokeDispatchCheck::checkIfChain(const IfStmt* If, const CXXMethodDecl* Method) {
  if (Reported.count(If)) return;
  report(If, Method, kIfOnHandle);
}

void BespokeDispatchCheck::checkSelections(const FunctionDecl* Fn) {
  Walk W(InterfaceName, Methods);
  W.visit(Fn->getBody());
  auto isConditionalOnBackends = [&](const Expr* E) {
    return isa_and_nonnull<AbstractConditionalOperator>(E) && isBackendHandleType(E->getType(), InterfaceName);
  };
  // cp ? cp->stop(id) : docker->stop(id): the if-on-a-handle shape as an expression.
  for (const AbstractConditionalOperator* Cond : W.Conditionals) {
    if (!W.mentionsHandle(Cond->getCond())) continue;
    const CXXMethodDecl* M = W.firstBackendCall(Cond->getTrueExpr());
    if (!M) M = W.firstBackendCall(Cond->getFalseExpr());
    if (M) report(Cond, M, kConditional);
  }
  // Per if-chain or switch, the backends called in each branch.
  std::map<const Stmt*, std::vector<std::pair<unsigned, const ValueDecl*>>> CalledIn;
  std::map<const Stmt*, const CXXMethodDecl*> FirstMethod;
  for (const Walk::Call& Call : W.Calls) {
    // (cp ? cp.get() : docker)->stop(id)
    if (isConditionalOnBackends(Call.Origin)) report(Call.Origin, Call.Method, kConditional);
    const ValueDecl* Handle = backendHandle(Call.Origin, InterfaceName);
    if (!Handle) continue;
    // auto& p = cp ? *cp : *docker; p.stop(id);  or p, declared outside a switch or an if,
    // assigned a backend in its cases or branches, then called.
    if (isa<DeclRefExpr>(Call.Origin)) {
      auto It = W.Defs.find(Handle);
      if (It != W.Defs.end())
        for (const Walk::Def& D : It->second) {
          if (isConditionalOnBackends(D.Origin)) {
            report(D.Origin, Call.Method, kConditional);
          } else if (!D.IsInit && D.Choice && D.Choice != W.DeclaredIn.lookup(Handle) &&
                     backendHandle(D.Origin, InterfaceName)) {
            const auto* If = dyn_cast<IfStmt>(D.Choice);
            if (!If || !W.isChainOnHandle(If)) report(D.Choice, Call.Method, If ? kIf : kSwitch);
          }
        }
    }
    for (const Choice& C : Call.Choices) {
      CalledIn[C.Site].push_back({C.Branch, Handle});
      FirstMethod.try_emplace(C.Site, Call.Method);
    }
  }
  // Two branches of one switch or if-chain calling different backends: a choice between them.
  for (const auto& [Site, Called] : CalledIn) {
    const auto* If = dyn_cast<IfStmt>(Site);
    if (If && W.isChainOnHandle(If)) continue;  // reported by the matcher on if statements
    bool Chooses = false;
    for (size_t I = 0; I < Called.size() && !Chooses; ++I)
      for (size_t J = I + 1; J < Called.size() && !Chooses; ++J)
        Chooses = Called[I].first != Called[J].first && Called[I].second != Called[J].second;
    if (Chooses) report(Site, FirstMethod[Site], If ? kIf : kSwitch);
  }
}

void BespokeDispatchCheck::check(const MatchFinder::MatchResult& Result) {
  if (const auto* Fn = Result.Nodes.getNodeAs<FunctionDecl>("fn")) {
    if (Fn->getBody()) checkSelections(Fn);
    return;
  }
  const auto* If = Result.Nodes.getNodeAs<IfStmt>("if");
  const auto* Method = Result.Nodes.getNodeAs<CXXMethodDecl>("method");
  if (If && Method) checkIfChain(If, Method);
}

}  // namespace parity::tidy
