//===--- DirectBackendCallCheck.cpp - parity checks -------------*- C++ -*-===//
#include "DirectBackendCallCheck.h"
#include "TraversalScope.h"

#include "BackendTypes.h"
#include "clang-tidy/utils/OptionsUtils.h"
#include "clang/ASTMatchers/ASTMatchFinder.h"

using namespace clang;
using namespace clang::ast_matchers;

namespace parity::tidy {

DirectBackendCallCheck::DirectBackendCallCheck(llvm::StringRef Name, clang::tidy::ClangTidyContext* Context)
    : ClangTidyCheck(Name, Context),
      InterfaceName(Options.get("InterfaceName", "")),
      MethodNames(Options.get("MethodNames", "")),
      AllowedFiles(Options.get("AllowedFiles", "")),
      DispatcherClass(Options.get("DispatcherClass", "")),
      DispatcherSuffix(Options.get("DispatcherSuffix", "")),
      Dispatchers(Options.get("Dispatchers", "")) {
  for (llvm::StringRef Pattern : clang::tidy::utils::options::parseStringList(AllowedFiles)) {
    llvm::Regex Re(Pattern);
    std::string Error;
    if (!Re.isValid(Error)) {
      configurationDiag("invalid regex '%0' in AllowedFiles: %1") << Pattern << Error;
      continue;
    }
    AllowedRegexes.push_back(std::move(Re));
  }
  for (llvm::StringRef Pair : clang::tidy::utils::options::parseStringList(Dispatchers))
    if (!Pair.contains('='))
      configurationDiag("'%0' in Dispatchers is not verb=dispatcher") << Pair;
}

void DirectBackendCallCheck::storeOptions(clang::tidy::ClangTidyOptions::OptionMap& Opts) {
  Options.store(Opts, "InterfaceName", InterfaceName);
  Options.store(Opts, "MethodNames", MethodNames);
  Options.store(Opts, "AllowedFiles", AllowedFiles);
  Options.store(Opts, "DispatcherClass", DispatcherClass);
  Options.store(Opts, "DispatcherSuffix", DispatcherSuffix);
  Options.store(Opts, "Dispatchers", Dispatchers);
}

// The dispatcher to call instead, as the message names it: an entry of Dispatchers, else the
// verb with DispatcherSuffix, qualified by DispatcherClass; "its dispatcher" when unconfigured.
std::string DirectBackendCallCheck::dispatcherFor(llvm::StringRef Method) const {
  std::string Name;
  for (llvm::StringRef Pair : clang::tidy::utils::options::parseStringList(Dispatchers)) {
    const auto [Verb, Dispatcher] = Pair.split('=');
    if (Verb.trim() == Method) Name = Dispatcher.trim().str();
  }
  if (Name.empty() && !DispatcherSuffix.empty()) Name = Method.str() + DispatcherSuffix;
  if (Name.empty()) return DispatcherClass.empty() ? "its dispatcher" : "its dispatcher on " + DispatcherClass;
  return DispatcherClass.empty() ? Name : DispatcherClass + "::" + Name;
}

void DirectBackendCallCheck::registerMatchers(MatchFinder* Finder) {
  if (InterfaceName.empty()) return;  // unconfigured: nothing is a backend
  limitTraversalToUserCode(Finder);
  const auto BackendMethod =
      cxxMethodDecl(backendMethod(InterfaceName, clang::tidy::utils::options::parseStringList(MethodNames)));
  // p->stop(), ref.stop(), smart->stop(), inside lambdas, macros and template instantiations.
  Finder->addMatcher(
      cxxMemberCallExpr(unless(isExpansionInSystemHeader()), callee(BackendMethod.bind("method"))).bind("call"), this);
  // &Provisioner::stop, used with ->* or std::invoke.
  Finder->addMatcher(unaryOperator(unless(isExpansionInSystemHeader()), hasOperatorName("&"),
                                   hasUnaryOperand(declRefExpr(to(BackendMethod.bind("method")))))
                         .bind("address"),
                     this);
}

bool DirectBackendCallCheck::isAllowed(SourceLocation Loc, const SourceManager& SM) const {
  const llvm::StringRef File = SM.getFilename(SM.getExpansionLoc(Loc));
  for (const llvm::Regex& Re : AllowedRegexes)
    if (Re.match(File)) return true;
  return false;
}

void DirectBackendCallCheck::check(const MatchFinder::MatchResult& Result) {
  const auto* Method = Result.Nodes.getNodeAs<CXXMethodDecl>("method");
  const auto* Call = Result.Nodes.getNodeAs<CXXMemberCallExpr>("call");
  // A call through a member pointer is reported once, where the pointer is taken.
  if (Call && isa<BinaryOperator>(Call->getCallee()->IgnoreParens())) return;
  const Expr* Site = Call;
  if (!Site) Site = Result.Nodes.getNodeAs<UnaryOperator>("address");
  if (!Method || !Site) return;
  const SourceLocation Loc = Site->getExprLoc();
  if (isAllowed(Loc, *Result.SourceManager)) return;
  diag(Loc, "direct call of backend method '%0' outside a dispatcher; call %1 instead")
      << Method->getName() << dispatcherFor(Method->getName());
}

}  // namespace parity::tidy
