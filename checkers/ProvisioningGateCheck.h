//===--- ProvisioningGateCheck.h - parity checks ----------------*- C++ -*-===//
#pragma once

#include "clang-tidy/ClangTidyCheck.h"

#include <string>

namespace parity::tidy {

/// Each function listed in Functions (the paths that provision in bulk, such as an import)
/// must gate on the backends: a call of GateFunction somewhere in its body.
/// Without it a path can silently skip one backend, as the org-import incident did.
///
/// Options: Functions (;-separated, qualified names allowed), GateFunction.
class ProvisioningGateCheck : public clang::tidy::ClangTidyCheck {
 public:
  ProvisioningGateCheck(llvm::StringRef Name, clang::tidy::ClangTidyContext* Context);
  void storeOptions(clang::tidy::ClangTidyOptions::OptionMap& Opts) override;
  void registerMatchers(clang::ast_matchers::MatchFinder* Finder) override;
  void check(const clang::ast_matchers::MatchFinder::MatchResult& Result) override;

 private:
  const std::string Functions;
  const std::string GateFunction;
};

}  // namespace parity::tidy
