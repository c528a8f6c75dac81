//===--- ParityTidyModule.cpp - parity checks -------------------*- C++ -*-===//
// Registers the parity-* checks. Loaded by stock clang-tidy-19 (--load), linked into
// parity-tidy, and linked into the in-process test binary.
//===----------------------------------------------------------------------===//

#include "BareBackendNullCheckCheck.h"
#include "BespokeDispatchCheck.h"
#include "DirectBackendCallCheck.h"
#include "ProvisioningGateCheck.h"
#include "clang-tidy/ClangTidyModule.h"
#include "clang-tidy/ClangTidyModuleRegistry.h"
#include "clang/Basic/Version.h"
#include "llvm/Support/ErrorHandling.h"

namespace parity::tidy {

class ParityModule : public clang::tidy::ClangTidyModule {
 public:
  void addCheckFactories(clang::tidy::ClangTidyCheckFactories& Factories) override {
    // The plugin has no ABI stability and binds to whatever loads it: refuse a different LLVM.
    const std::string Host = clang::getClangFullVersion();
    const std::string Built = "version " CLANG_VERSION_MAJOR_STRING ".";
    if (Host.find(Built) == std::string::npos)
      llvm::report_fatal_error(llvm::Twine("parity-checks was built for LLVM " CLANG_VERSION_MAJOR_STRING
                                           " and cannot run in ") + Host +
                                   "; use clang-tidy-" CLANG_VERSION_MAJOR_STRING " or build/bin/parity-tidy",
                               /*gen_crash_diag=*/false);
    Factories.registerCheck<DirectBackendCallCheck>("parity-direct-backend-call");
    Factories.registerCheck<BareBackendNullCheckCheck>("parity-bare-backend-null-check");
    Factories.registerCheck<ProvisioningGateCheck>("parity-provisioning-gate");
    Factories.registerCheck<BespokeDispatchCheck>("parity-bespoke-dispatch");
  }
};

}  // namespace parity::tidy

static clang::tidy::ClangTidyModuleRegistry::Add<parity::tidy::ParityModule> X("parity-module",
                                                                               "Backend parity checks.");
