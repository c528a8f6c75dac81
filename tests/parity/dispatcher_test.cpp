// Dispatchers: the scanner finds their definitions, the configuration says which functions are
// dispatchers, and the model demands one PARITY_DISPATCHER in each and nowhere else.

#include <gtest/gtest.h>

#include "config.h"
#include "render.h"
#include "scanner.h"
#include "tree.h"

namespace parity {
namespace {

using test::Tree;

TEST(FunctionDefinitions, FindsDefinitionsButNotCallsDeclarationsOrStatements) {
  const auto defs = scanFunctionDefinitions(
      "Result<> Svc::stopAuto(const std::string& id) const noexcept {\n"  // 1
      "  x.stopAuto(id);\n"
      "  if (a) { p->execAuto(1); }\n"
      "}\n"
      "Result<> Svc::execAuto(int);\n"  // 5: a declaration
      "struct S {\n"
      "  Result<> inlineAuto() override { return {}; }\n"  // 7
      "  auto trailingAuto() -> std::vector<int> { return {}; }\n"  // 8
      "};\n"
      "void g() { stopAuto(2); }\n");  // 10
  std::vector<std::string> names;
  for (const auto& d : defs) names.push_back(d.name);
  EXPECT_EQ(names, (std::vector<std::string>{"stopAuto", "inlineAuto", "trailingAuto", "g"}));
  EXPECT_EQ(defs[0].qualified, "Svc::stopAuto");
  EXPECT_EQ(defs[0].line, 1);
  EXPECT_EQ(defs[0].body_begin, 1);
  EXPECT_EQ(defs[0].body_end, 4);
  EXPECT_EQ(defs[1].qualified, "inlineAuto");
  EXPECT_EQ(defs[2].line, 8);
}

TEST(CheckOptions, ReadsTheMapAndTheListFormAndDefaultsWithoutAFile) {
  auto o = readCheckOptions("Checks: '-*,parity-*'\nCheckOptions:\n  a.B: 'x;y'\n  c.D: \"z\"\nWarningsAsErrors: ''\n");
  EXPECT_EQ(o, (std::map<std::string, std::string>{{"a.B", "x;y"}, {"c.D", "z"}}));
  o = readCheckOptions("CheckOptions:\n  - key: a.B\n    value: 'v'\n");
  EXPECT_EQ(o, (std::map<std::string, std::string>{{"a.B", "v"}}));
  EXPECT_EQ(splitList(" a ; ;b"), (std::vector<std::string>{"a", "b"}));
  // Like the checks, nothing is a dispatcher until the configuration names a suffix or a gate.
  const auto c = readDispatchConfig("/nonexistent");
  EXPECT_EQ(c.suffix, "");
  EXPECT_FALSE(c.isDispatcher("stopAuto"));
  DispatchConfig auto_{.suffix = "Auto"};
  EXPECT_TRUE(auto_.isDispatcher("stopAuto"));
  EXPECT_FALSE(auto_.isDispatcher("Auto"));
  EXPECT_FALSE(auto_.isDispatcher("stop"));
}

class Dispatchers : public Tree {
 protected:
  void SetUp() override {
    Tree::SetUp();
    write("runtime/src/svc.cpp",
          "Result<> Svc::stopAuto(int id) {\n"
          "  PARITY_DISPATCHER(stopAuto, \"nothing to stop\", \"\");\n"
          "  return {};\n"
          "}\n"
          "bool Svc::anyBackend() const {\n"
          "  PARITY_DISPATCHER(anyBackend, \"false\", \"none \" \"at all\");\n"
          "  return a || b;\n"
          "}\n");
    write(".clang-tidy", "CheckOptions:\n  parity-provisioning-gate.GateFunction: 'anyBackend'\n"
                         "  parity-bespoke-dispatch.DispatcherSuffix: 'Auto'\n");
  }
};

TEST_F(Dispatchers, EachDispatcherIsReadWithItsFallbackAndExceptions) {
  const auto m = load();
  ASSERT_TRUE(m.errors.empty()) << errors(m);
  ASSERT_EQ(m.dispatchers.size(), 2u);
  EXPECT_EQ(m.dispatchers[0].qualified, "Svc::stopAuto");
  EXPECT_EQ(m.dispatchers[0].fallback, "nothing to stop");
  EXPECT_EQ(m.dispatchers[0].at.line, 2);
  EXPECT_EQ(m.dispatchers[1].verb, "anyBackend");
  EXPECT_EQ(m.dispatchers[1].exceptions, "none at all");
  const std::string md = renderMarkdown(m);
  EXPECT_NE(md.find("| `Svc::stopAuto` | nothing to stop | none | [svc.cpp:2](../runtime/src/svc.cpp#L2) |"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("| `Svc::anyBackend` | false | none at all |"), std::string::npos) << md;
}

TEST_F(Dispatchers, ADispatcherWithoutItsAnnotationIsAnError) {
  write("runtime/src/more.cpp", "void Svc::execAuto() {\n  backend->exec();\n}\n");
  const auto m = load();
  ASSERT_EQ(m.errors.size(), 1u) << errors(m);
  EXPECT_EQ(m.errors[0],
            "runtime/src/more.cpp:1: error: dispatcher 'Svc::execAuto' has no PARITY_DISPATCHER(execAuto, \"what it "
            "does when no backend is wired\", \"who may bypass it\")");
}

TEST_F(Dispatchers, AGateNamedInTheConfigurationIsADispatcherToo) {
  write("runtime/src/svc.cpp", "bool Svc::anyBackend() const { return a || b; }\n");
  EXPECT_NE(errors(load()).find("dispatcher 'Svc::anyBackend' has no PARITY_DISPATCHER"), std::string::npos);
  write(".clang-tidy", "");  // no longer named: no longer a dispatcher
  EXPECT_EQ(errors(load()), "");
}

TEST_F(Dispatchers, AnAnnotationMustNameTheDispatcherItSitsIn) {
  write("runtime/src/more.cpp",
        "void helper() {\n  PARITY_DISPATCHER(helper, \"x\", \"\");\n}\n"               // 1: not a dispatcher
        "void Svc::execAuto() {\n  PARITY_DISPATCHER(readAuto, \"x\", \"\");\n}\n"    // 4: names nothing defined
        "void Svc::writeAuto() {\n  PARITY_DISPATCHER(stopAuto, \"x\", \"\");\n"      // 7: another dispatcher's
        "  PARITY_DISPATCHER(writeAuto, \"\", \"\");\n"                                // 9: no fallback
        "  PARITY_DISPATCHER(writeAuto, \"y\", \"\");\n}\n"                            // 10: a second one
        "PARITY_DISPATCHER(stopAuto, x, \"\");\n");                                  // 12: not a literal
  write("tests/t.cpp", "void Svc::stopAuto() {\n  PARITY_DISPATCHER(stopAuto, \"x\", \"\");\n}\n");
  const std::string e = errors(load());
  EXPECT_NE(e.find("more.cpp:2: error: PARITY_DISPATCHER names 'helper', which is not a dispatcher: its name does not "
                   "end in 'Auto' (parity-bespoke-dispatch.DispatcherSuffix) and it is not a gate the checks name "
                   "(anyBackend)"),
            std::string::npos)
      << e;
  EXPECT_NE(e.find("more.cpp:5: error: PARITY_DISPATCHER names 'readAuto', but no function in runtime/src defines it"),
            std::string::npos)
      << e;
  EXPECT_NE(e.find("more.cpp:8: error: PARITY_DISPATCHER(stopAuto, ...) must sit in the body of stopAuto (defined at "
                   "runtime/src/svc.cpp:1)"),
            std::string::npos)
      << e;
  EXPECT_NE(e.find("more.cpp:9: error: PARITY_DISPATCHER for 'writeAuto' needs its fallback"), std::string::npos) << e;
  EXPECT_NE(e.find("more.cpp:10: error: duplicate PARITY_DISPATCHER in Svc::writeAuto"), std::string::npos) << e;
  EXPECT_NE(e.find("more.cpp:12: error: PARITY_DISPATCHER argument 2 must be a string literal"), std::string::npos) << e;
  EXPECT_NE(e.find("tests/t.cpp:2: error: PARITY_DISPATCHER outside runtime/src"), std::string::npos) << e;
  EXPECT_NE(e.find("more.cpp:4: error: dispatcher 'Svc::execAuto' has no PARITY_DISPATCHER"), std::string::npos) << e;
}

TEST_F(Dispatchers, WithoutAConfiguredSuffixNoFunctionIsADispatcher) {
  write(".clang-tidy", "CheckOptions:\n  parity-direct-backend-call.InterfaceName: '::x::B'\n");
  write("runtime/src/svc.cpp", "void Svc::execAuto() {\n  PARITY_DISPATCHER(execAuto, \"x\", \"\");\n}\n");
  const std::string e = errors(load());
  EXPECT_NE(e.find("svc.cpp:2: error: PARITY_DISPATCHER names 'execAuto', which is not a dispatcher: no dispatcher "
                   "suffix is configured (parity-bespoke-dispatch.DispatcherSuffix in .clang-tidy)"),
            std::string::npos)
      << e;
  write("runtime/src/svc.cpp", "void Svc::execAuto() {}\n");
  EXPECT_EQ(errors(load()), "");
}

TEST_F(Dispatchers, TheyAreReadFromTheSourceDirectoriesOfTheLayout) {
  layout_.sources = {"lib", "app"};
  write("lib/jobs.cpp", "void Jobs::runAuto() {\n  PARITY_DISPATCHER(runAuto, \"refuses\", \"\");\n}\n");
  write("app/more.cpp", "void Jobs::haltAuto() {}\n");
  write("lib/impl.cpp", "PARITY_IMPL(stop, docker, \"rm\");\nPARITY_IMPL(stop, controlplane, \"terminate\");\n"
                        "PARITY_UNBUILT(plugins, \"no plugins\", \"roadmap#plugins\");\n");
  const auto m = load();
  ASSERT_EQ(m.errors.size(), 1u) << errors(m);  // runtime/src/svc.cpp is no source directory any more
  EXPECT_EQ(m.errors[0], "app/more.cpp:1: error: dispatcher 'Jobs::haltAuto' has no PARITY_DISPATCHER(haltAuto, \"what "
                         "it does when no backend is wired\", \"who may bypass it\")");
  ASSERT_EQ(m.dispatchers.size(), 1u);
  EXPECT_EQ(m.dispatchers[0].at.file, "lib/jobs.cpp");
  write("lib/x.cpp", "void f() {\n  PARITY_DISPATCHER(readAuto, \"x\", \"\");\n}\n");
  EXPECT_NE(errors(load()).find("PARITY_DISPATCHER names 'readAuto', but no function in lib, app defines it"),
            std::string::npos);
}

TEST_F(Dispatchers, TheSuffixComesFromTheCheckConfiguration) {
  write(".clang-tidy", "CheckOptions:\n  parity-bespoke-dispatch.DispatcherSuffix: 'Dispatch'\n");
  write("runtime/src/more.cpp", "void Svc::execDispatch() {}\n");
  const std::string e = errors(load());
  EXPECT_NE(e.find("dispatcher 'Svc::execDispatch' has no PARITY_DISPATCHER"), std::string::npos) << e;
  EXPECT_NE(e.find("svc.cpp:2: error: PARITY_DISPATCHER names 'stopAuto', which is not a dispatcher: its name does not "
                   "end in 'Dispatch'"),
            std::string::npos)
      << e;
}

}  // namespace
}  // namespace parity
