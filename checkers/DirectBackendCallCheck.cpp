//===--- DirectBackendCallCheck.cpp - parity checks -------------*- C++ -*-===//
#include "DirectBackendCallCheck.h"
#include "TraversalScope.h"

#include "BackendTypes.h"
#include "clang-tidy/utils/OptionsUtils.h"
#include "clang/ASTMatchers/ASTMatchFinder.h"

using namespace clang;
using namespace clang::ast_matchers;

namespace parity::tidy {
namespace {

constexpr llvm::StringLiteral kDefaultAllowed = "workspace_service\\.cpp$;/backends/";

// The dispatcher a direct call should go through.
std::string dispatcherFor(llvm::StringRef Method) {
  if (Method == "start") return "provisionWorkspaceAuto";
  if (Method == "stop") return "stopWorkspaceAuto";
  return Method.str() + "Auto";
}

}  // namespace

DirectBackendCallCheck::DirectBackendCallCheck(llvm::StringRef Name, clang::tidy::ClangTidyContext* Context)
    : ClangTidyCheck(Name, Context),
      InterfaceName(Options.get("InterfaceName", kDefaultInterface)),
      MethodNames(Options.get("MethodNames", kDefaultMethods)),
      AllowedFiles(Options.get("AllowedFiles", kDefaultAllowed)) {
  for (llvm::StringRef Pattern : clang::tidy::utils::options::parseStringList(AllowedFiles)) {
    llvm::Regex Re(Pattern);
    std::string Error;
    if (!Re.isValid(Error)) {
      configurationDiag("invalid regex '%0' in AllowedFiles: %1") << Pattern << Error;
      continue;
    }
    AllowedRegexes.push_back(std::move(Re));
  }
}

void DirectBackendCallCheck::storeOptions(clang::tidy::ClangTidyOptions::OptionMap& Opts) {
  Options.store(Opts, "InterfaceName", InterfaceName);
  Options.store(Opts, "MethodNames", MethodNames);
  Options.store(Opts, "AllowedFiles", AllowedFiles);
}

void DirectBackendCallCheck::registerMatchers(MatchFinder* Finder) {
  limitTraversalToUserCode(Finder);
  const auto Methods = clang::tidy::utils::options::parseStringList(MethodNames);
  const auto BackendMethod =
      cxxMethodDecl(hasAnyName(Methods), ofClass(cxxRecordDecl(isSameOrDerivedFrom(InterfaceName))));
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
  diag(Loc, "direct call of backend method '%0' outside a dispatcher; call WorkspaceService::%1 instead")
      << Method->getName() << dispatcherFor(Method->getName());
}

}  // namespace parity::tidy
