//===--- DirectBackendCallCheck.h - parity checks ---------------*- C++ -*-===//
#pragma once

#include "clang-tidy/ClangTidyCheck.h"
#include "llvm/Support/Regex.h"

#include <string>
#include <vector>

namespace parity::tidy {

/// Flags a call of a backend lifecycle method (start, stop and the other verbs) on anything
/// that is or derives from the backend interface, outside the allowlisted dispatcher files.
/// Resolved by type: raw and smart pointers, references, lambdas, templates, macros, member
/// pointers and std::invoke are all seen; a same-named method of an unrelated class is not.
///
/// Options: InterfaceName, MethodNames (;-separated), AllowedFiles (;-separated regexes), and
/// for the message only: DispatcherClass, DispatcherSuffix, Dispatchers (verb=dispatcher pairs).
class DirectBackendCallCheck : public clang::tidy::ClangTidyCheck {
 public:
  DirectBackendCallCheck(llvm::StringRef Name, clang::tidy::ClangTidyContext* Context);
  void storeOptions(clang::tidy::ClangTidyOptions::OptionMap& Opts) override;
  void registerMatchers(clang::ast_matchers::MatchFinder* Finder) override;
  void check(const clang::ast_matchers::MatchFinder::MatchResult& Result) override;

 private:
  bool isAllowed(clang::SourceLocation Loc, const clang::SourceManager& SM) const;
  std::string dispatcherFor(llvm::StringRef Method) const;

  const std::string InterfaceName;
  const std::string MethodNames;
  const std::string AllowedFiles;
  const std::string DispatcherClass;
  const std::string DispatcherSuffix;
  const std::string Dispatchers;
  std::vector<llvm::Regex> AllowedRegexes;
};

}  // namespace parity::tidy
