//===--- BackendTypes.h - parity checks -------------------------*- C++ -*-===//
// Shared helpers: what counts as a backend, a handle to one, and a null test of a handle.
//===----------------------------------------------------------------------===//
#pragma once

#include "clang/AST/Expr.h"
#include "clang/AST/ExprCXX.h"
#include "clang/ASTMatchers/ASTMatchers.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

#include <string>
#include <vector>

namespace parity::tidy {

// Every option naming code defaults to empty: a project names its own interface, verbs and
// dispatchers in its .clang-tidy (docs/checks/). A check without an InterfaceName is inactive.

/// True when `RD` is the class named `Interface` ("::ns::Name") or derives from it.
bool isClassOrDerivedFrom(const clang::CXXRecordDecl* RD, llvm::StringRef Interface);

/// True for a backend verb: a method of the interface or of a class derived from it, named in
/// `Methods`; when `Methods` is empty, a virtual method the interface itself declares or an
/// override of one (a derived class's own helpers are not verbs).
bool isBackendMethod(const clang::CXXMethodDecl* M, llvm::StringRef Interface, llvm::ArrayRef<llvm::StringRef> Methods);

/// The matcher form of isBackendMethod. With names it is the plain name and base-class match,
/// which the matcher framework indexes; without, the declared-virtual walk.
clang::ast_matchers::internal::Matcher<clang::CXXMethodDecl> backendMethod(const std::string& Interface,
                                                                           const std::vector<llvm::StringRef>& Methods);

/// True for a pointer, reference, std::unique_ptr or std::shared_ptr to a backend class.
bool isBackendHandleType(clang::QualType T, llvm::StringRef Interface);

/// The variable or member a backend-handle expression names (through parens, casts, a smart
/// pointer's operator bool and its .get()), or null when `E` is not one.
const clang::ValueDecl* backendHandle(const clang::Expr* E, llvm::StringRef Interface);

/// For `sp.get()` on a std::unique_ptr or std::shared_ptr, the smart pointer `sp`; else null.
const clang::Expr* smartPointerOfGet(const clang::Expr* E);

/// Where the backend an expression denotes was chosen: `E` followed through parens, casts,
/// `*`, `&`, a smart pointer's `->`, `*` and `.get()`, and implicit conversions. For
/// `(cp ? cp.get() : docker)->stop()`'s object that is the conditional operator; for `p->stop()`
/// it is `p`.
const clang::Expr* backendOrigin(const clang::Expr* E);

/// If `E` tests a backend handle for null (`p == nullptr`, `nullptr == p`, `!p`) or for
/// non-null (`p != nullptr`, `p` in a boolean context), the handle and which test it is.
struct HandleTest {
  const clang::ValueDecl* Handle = nullptr;
  bool IsNullTest = false;
};
HandleTest classifyHandleTest(const clang::Expr* E, llvm::StringRef Interface);


}  // namespace parity::tidy
