// The sections of docs/backends.md around the matrix: drift risks from the rows, enforcement
// from parity/gates.def and the checks, the checklist, and no time stamp anywhere.

#include <gtest/gtest.h>

#include <ctime>

#include "guide.h"
#include "render.h"
#include "tree.h"

namespace parity {
namespace {

using test::Tree;

TEST_F(Tree, DriftRisksListTheRowsThatAreNotAtParityWithTheirTracking) {
  write("runtime/src/cp.cpp",
        "void stop() {\n  PARITY_UNSUPPORTED(stop, controlplane, \"no instances\", \"https://example.test/issues/7\");\n}\n");
  const auto m = load();
  ASSERT_TRUE(m.errors.empty()) << errors(m);
  const std::string md = renderDriftRisks(m);
  EXPECT_NE(md.find("- **Stop** (`stop`), 🔴 docker-only: unsupported on Control plane (EC2): no instances. Tracked in "
                    "<https://example.test/issues/7>; [cp.cpp:2](../runtime/src/cp.cpp#L2).\n"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("- **Plugins** (`plugins`), ⬜ not built: no plugins. Tracked in [roadmap#plugins](roadmap.md#plugins); "
                    "[app.h:1](../runtime/src/app.h#L1).\n"),
            std::string::npos)
      << md;

  write("runtime/src/cp.cpp", "void stop() {\n  PARITY_IMPL(stop, controlplane, \"terminate\");\n}\n");
  write("runtime/src/app.h", "");
  write("parity/features.def", "PARITY_BACKEND(docker, \"Docker\")\nPARITY_BACKEND(controlplane, \"Control plane (EC2)\")\n"
                               "PARITY_AREA(life, \"Lifecycle\")\nPARITY_FEATURE(stop, life, \"Stop\")\n");
  EXPECT_NE(renderDriftRisks(load()).find("None: every built row is at parity."), std::string::npos);
}

TEST_F(Tree, EnforcementListsEachGateWithItsCommandAndEachCheckWithItsDocAndOptions) {
  write("tools/lint", "#!/bin/sh\n");
  write("tests/CMakeLists.txt", "add_test(NAME checkers.gate_bites COMMAND x)\n");
  write("parity/gates.def", "PARITY_GATE(lint, \"a direct backend call\", \"./tools/lint\", \"checkers.gate_bites\")\n"
                            "PARITY_GATE(check, \"a stale doc\", \"build/bin/parity check\", \"checkers.gate_bites\")\n");
  write("checkers/Module.cpp", "Factories.registerCheck<DirectCheck>(\"parity-direct-backend-call\");\n");
  write("docs/checks/parity-direct-backend-call.md",
        "# parity-direct-backend-call\n\n**What.** Flags a call of a backend\nmethod: `stop` and more.\n\n**Why.** ...\n");
  write(".clang-tidy", "CheckOptions:\n  parity-direct-backend-call.AllowedFiles: 'a\\.cpp$;b/'\n");
  const auto m = load();
  ASSERT_TRUE(m.errors.empty()) << errors(m);
  const std::string md = renderEnforcement(m);
  EXPECT_NE(md.find("| lint | a direct backend call | `./tools/lint` | `checkers.gate_bites` |\n"), std::string::npos) << md;
  EXPECT_NE(md.find("| check | a stale doc | `build/bin/parity check` | `checkers.gate_bites` |\n"), std::string::npos) << md;
  EXPECT_NE(md.find("| [parity-direct-backend-call](checks/parity-direct-backend-call.md) | Flags a call of a backend "
                    "method. | `AllowedFiles: a\\.cpp$;b/` |\n"),
            std::string::npos)
      << md;
  EXPECT_NE(renderDispatch(m).find("only in the files matching `parity-direct-backend-call.AllowedFiles`: `a\\.cpp$`, `b/`"),
            std::string::npos);
}

TEST_F(Tree, AGateWhoseScriptOrProofIsGoneIsAnError) {
  write("parity/gates.def", "PARITY_GATE(lint, \"x\", \"./tools/lint --all\", \"checkers.gate_bites\")\n"
                            "PARITY_GATE(lint, \"x\", \"ctest -L contract\", \"contract.gate\")\n");
  write("contract/CMakeLists.txt", "add_test(NAME contract.gate_bites COMMAND x)\n");
  const std::string e = errors(load());
  EXPECT_NE(e.find("parity/gates.def:1: error: gate 'lint' runs tools/lint, which does not exist"), std::string::npos) << e;
  EXPECT_NE(e.find("parity/gates.def:1: error: gate 'lint' names 'checkers.gate_bites' as the test proving it bites, but "
                   "no CMakeLists.txt registers it"),
            std::string::npos)
      << e;
  EXPECT_NE(e.find("parity/gates.def:2: error: duplicate gate 'lint'"), std::string::npos) << e;
}

TEST_F(Tree, TheDocCarriesTheChecklistAndNoTimeStamp) {
  write(".clang-tidy", "CheckOptions:\n  parity-bespoke-dispatch.DispatcherSuffix: 'Dispatch'\n");
  const auto m = load();
  ASSERT_TRUE(m.errors.empty()) << errors(m);
  const std::string md = renderMarkdown(m);
  EXPECT_NE(md.find("## When you add a new dispatch site\n"), std::string::npos);
  EXPECT_NE(md.find("`PARITY_DISPATCHER(<verb>Dispatch, \"what it does when no backend is wired\""), std::string::npos);
  EXPECT_NE(md.find("## Last verified\n"), std::string::npos);
  EXPECT_NE(md.find("`parity.json` carries it as `verified`"), std::string::npos);
  // Deterministic: nothing in it depends on when or where it was rendered.
  const std::time_t now = std::time(nullptr);
  char year[8];
  std::strftime(year, sizeof year, "%Y", std::gmtime(&now));
  EXPECT_EQ(md.find(year), std::string::npos);
  EXPECT_EQ(md, renderMarkdown(load()));
  EXPECT_EQ(md.find(root_.string()), std::string::npos);
}

}  // namespace
}  // namespace parity
