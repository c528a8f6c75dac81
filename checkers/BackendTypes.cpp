//===--- BackendTypes.cpp - parity checks -----------------------*- C++ -*-===//
#include "BackendTypes.h"

#include "clang/AST/DeclCXX.h"
#include "clang/AST/DeclTemplate.h"

using namespace clang;

namespace parity::tidy {

bool isClassOrDerivedFrom(const CXXRecordDecl* RD, llvm::StringRef Interface) {
  Interface.consume_front("::");
  if (!RD || Interface.empty()) return false;
  if (RD->getQualifiedNameAsString() == Interface) return true;
  RD = RD->getDefinition();
  if (!RD) return false;
  for (const CXXBaseSpecifier& Base : RD->bases())
    if (isClassOrDerivedFrom(Base.getType()->getAsCXXRecordDecl(), Interface)) return true;
  return false;
}

namespace {

bool isInterface(const CXXRecordDecl* RD, llvm::StringRef Interface) {
  Interface.consume_front("::");
  return RD && RD->getQualifiedNameAsString() == Interface;
}

bool declaredByInterface(const CXXMethodDecl* M, llvm::StringRef Interface) {
  if (M->isVirtual() && isInterface(M->getParent(), Interface)) return true;
  for (const CXXMethodDecl* Overridden : M->overridden_methods())
    if (declaredByInterface(Overridden, Interface)) return true;
  return false;
}

AST_MATCHER_P2(CXXMethodDecl, isBackendMethodMatcher, std::string, Interface, std::vector<llvm::StringRef>, Methods) {
  return isBackendMethod(&Node, Interface, Methods);
}

}  // namespace

bool isBackendMethod(const CXXMethodDecl* M, llvm::StringRef Interface, llvm::ArrayRef<llvm::StringRef> Methods) {
  if (!M || !M->getDeclName().isIdentifier() || Interface.empty()) return false;
  if (!Methods.empty())
    return llvm::is_contained(Methods, M->getName()) && isClassOrDerivedFrom(M->getParent(), Interface);
  return isClassOrDerivedFrom(M->getParent(), Interface) && declaredByInterface(M, Interface);
}

ast_matchers::internal::Matcher<CXXMethodDecl> backendMethod(const std::string& Interface,
                                                             const std::vector<llvm::StringRef>& Methods) {
  using namespace ast_matchers;
  if (Methods.empty()) return isBackendMethodMatcher(Interface, Methods);
  return cxxMethodDecl(hasAnyName(Methods), ofClass(cxxRecordDecl(isSameOrDerivedFrom(Interface))));
}

bool isBackendHandleType(QualType T, llvm::StringRef Interface) {
  T = T.getNonReferenceType().getCanonicalType();
  if (const auto* P = T->getAs<PointerType>())
    return isClassOrDerivedFrom(P->getPointeeType()->getAsCXXRecordDecl(), Interface);
  if (const auto* Spec = dyn_cast_or_null<ClassTemplateSpecializationDecl>(T->getAsCXXRecordDecl())) {
    const std::string Name = Spec->getQualifiedNameAsString();
    if ((Name == "std::unique_ptr" || Name == "std::shared_ptr") && Spec->getTemplateArgs().size() > 0 &&
        Spec->getTemplateArgs()[0].getKind() == TemplateArgument::Type)
      return isClassOrDerivedFrom(Spec->getTemplateArgs()[0].getAsType()->getAsCXXRecordDecl(), Interface);
  }
  return isClassOrDerivedFrom(T->getAsCXXRecordDecl(), Interface);  // a reference or object
}

namespace {

bool isSmartPointer(QualType T) {
  const auto* Spec = dyn_cast_or_null<ClassTemplateSpecializationDecl>(
      T.getNonReferenceType().getCanonicalType()->getAsCXXRecordDecl());
  if (!Spec) return false;
  const std::string Name = Spec->getQualifiedNameAsString();
  return Name == "std::unique_ptr" || Name == "std::shared_ptr";
}

}  // namespace

const Expr* smartPointerOfGet(const Expr* E) {
  const auto* Call = dyn_cast_or_null<CXXMemberCallExpr>(E);
  if (!Call || Call->getNumArgs() != 0) return nullptr;
  const CXXMethodDecl* Method = Call->getMethodDecl();
  if (!Method || !Method->getDeclName().isIdentifier() || Method->getName() != "get") return nullptr;
  // shared_ptr's get() is a member of a base class: look through the derived-to-base cast.
  const Expr* Object = Call->getImplicitObjectArgument();
  if (Object) Object = Object->IgnoreParenImpCasts();
  return Object && isSmartPointer(Object->getType()) ? Object : nullptr;
}

const Expr* backendOrigin(const Expr* E) {
  while (E) {
    const Expr* Next = nullptr;
    E = E->IgnoreUnlessSpelledInSource()->IgnoreParens();
    if (const auto* Cast = dyn_cast<ExplicitCastExpr>(E)) {
      Next = Cast->getSubExpr();
    } else if (const auto* U = dyn_cast<UnaryOperator>(E)) {
      if (U->getOpcode() == UO_Deref || U->getOpcode() == UO_AddrOf) Next = U->getSubExpr();
    } else if (const auto* Op = dyn_cast<CXXOperatorCallExpr>(E)) {
      if (Op->getNumArgs() == 1 && (Op->getOperator() == OO_Arrow || Op->getOperator() == OO_Star))
        Next = Op->getArg(0);
    } else {
      Next = smartPointerOfGet(E);
    }
    if (!Next) return E;
    E = Next;
  }
  return E;
}

const ValueDecl* backendHandle(const Expr* E, llvm::StringRef Interface) {
  if (!E) return nullptr;
  E = E->IgnoreParenImpCasts();
  // unique_ptr/shared_ptr in a boolean context: an implicit call of operator bool.
  if (const auto* Call = dyn_cast<CXXMemberCallExpr>(E))
    if (isa_and_nonnull<CXXConversionDecl>(Call->getMethodDecl()))
      E = Call->getImplicitObjectArgument()->IgnoreParenImpCasts();
  // sp.get(): the raw pointer of a smart pointer names the same backend.
  if (const Expr* Smart = smartPointerOfGet(E)) E = Smart->IgnoreParenImpCasts();
  if (!isBackendHandleType(E->getType(), Interface)) return nullptr;
  if (const auto* Ref = dyn_cast<DeclRefExpr>(E)) return Ref->getDecl();
  if (const auto* Member = dyn_cast<MemberExpr>(E)) return Member->getMemberDecl();
  return nullptr;
}

namespace {

bool isNullConstant(const Expr* E) {
  E = E->IgnoreParenImpCasts();
  if (isa<CXXNullPtrLiteralExpr>(E) || isa<GNUNullExpr>(E)) return true;
  if (const auto* Lit = dyn_cast<IntegerLiteral>(E)) return Lit->getValue() == 0;
  return false;
}

// `lhs OP rhs` as written, for built-in, overloaded and C++20-rewritten comparisons.
bool decomposeComparison(const Expr* E, BinaryOperatorKind& Op, const Expr*& L, const Expr*& R) {
  if (const auto* B = dyn_cast<BinaryOperator>(E)) {
    Op = B->getOpcode();
    L = B->getLHS();
    R = B->getRHS();
    return true;
  }
  if (const auto* Rw = dyn_cast<CXXRewrittenBinaryOperator>(E)) {
    const auto D = Rw->getDecomposedForm();
    Op = D.Opcode;
    L = D.LHS;
    R = D.RHS;
    return true;
  }
  if (const auto* C = dyn_cast<CXXOperatorCallExpr>(E); C && C->getNumArgs() == 2) {
    if (C->getOperator() == OO_EqualEqual) Op = BO_EQ;
    else if (C->getOperator() == OO_ExclaimEqual) Op = BO_NE;
    else return false;
    L = C->getArg(0);
    R = C->getArg(1);
    return true;
  }
  return false;
}

}  // namespace

HandleTest classifyHandleTest(const Expr* E, llvm::StringRef Interface) {
  E = E->IgnoreParenImpCasts();
  if (const auto* U = dyn_cast<UnaryOperator>(E); U && U->getOpcode() == UO_LNot)
    if (const ValueDecl* H = backendHandle(U->getSubExpr(), Interface)) return {H, true};
  BinaryOperatorKind Op;
  const Expr *L = nullptr, *R = nullptr;
  if (decomposeComparison(E, Op, L, R) && (Op == BO_EQ || Op == BO_NE)) {
    const Expr* Other = isNullConstant(R) ? L : isNullConstant(L) ? R : nullptr;
    if (Other)
      if (const ValueDecl* H = backendHandle(Other, Interface)) return {H, Op == BO_EQ};
    return {};
  }
  if (const ValueDecl* H = backendHandle(E, Interface)) return {H, false};
  return {};
}


}  // namespace parity::tidy
