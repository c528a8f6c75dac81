// A third backend joins through the features list and the annotations alone: verdicts name the
// backends that have a row or lack it, the doc and parity.html carry a column and totals for
// each, and verify holds the third column to its annotations like the first two.

#include <gtest/gtest.h>

#include "guide.h"
#include "render.h"
#include "tree.h"
#include "verify.h"

namespace parity {
namespace {

using nlohmann::json;

class ThreeBackends : public test::Tree {
 protected:
  void SetUp() override {
    Tree::SetUp();
    write("parity/features.def", "PARITY_BACKEND(docker, \"Docker\")\n"
                                 "PARITY_BACKEND(controlplane, \"Control plane (EC2)\")\n"
                                 "PARITY_BACKEND(swarm, \"Docker Swarm\")\n"
                                 "PARITY_AREA(life, \"Lifecycle\")\n"
                                 "PARITY_FEATURE(stop, life, \"Stop\")\n"
                                 "PARITY_FEATURE(logs, life, \"Logs\")\n"
                                 "PARITY_FEATURE(exec, life, \"Exec\")\n"
                                 "PARITY_FEATURE(scale, life, \"Scale\")\n"
                                 "PARITY_FEATURE(plugins, life, \"Plugins\")\n");
    write("runtime/src/docker.cpp", "PARITY_IMPL(stop, docker, \"container rm\");\n"
                                    "PARITY_IMPL(logs, docker, \"container logs\");\n"
                                    "PARITY_IMPL(exec, docker, \"engine exec\");\n"
                                    "PARITY_UNSUPPORTED(scale, docker, \"one container\", \"#3\");\n");
    write("runtime/src/cp.cpp", "PARITY_IMPL(stop, controlplane, \"terminate\");\n"
                                "PARITY_IMPL(logs, controlplane, \"serial console\");\n"
                                "PARITY_UNSUPPORTED(exec, controlplane, \"no exec\", \"#1\");\n"
                                "PARITY_UNSUPPORTED(scale, controlplane, \"one instance\", \"#3\");\n");
    write("runtime/src/swarm.cpp", "PARITY_IMPL(stop, swarm, \"service rm\");\n"
                                   "PARITY_UNSUPPORTED(logs, swarm, \"no log driver\", \"#2\");\n"
                                   "PARITY_UNSUPPORTED(exec, swarm, \"no exec into tasks\", \"#1\");\n"
                                   "PARITY_IMPL(scale, swarm, \"service scale\");\n");
    write("contract/s.cpp", "CONTRACT_SCENARIO(stop, StopsTwice) {}\nCONTRACT_SCENARIO(logs, Reads) {}\n"
                            "CONTRACT_SCENARIO(exec, Runs) {}\nCONTRACT_SCENARIO(scale, Scales) {}\n");
  }
  static json result(const std::string& feature, const std::string& scenario, const std::string& backend,
                     const std::string& observed) {
    return {{"feature", feature}, {"scenario", scenario}, {"backend", backend}, {"observed", observed}};
  }
  /// Results that agree with every annotation, on every column and the reference.
  static std::vector<json> agreeing() {
    std::vector<json> out;
    for (const char* b : {"docker", "controlplane", "swarm", "reference"}) {
      const std::string on = b;
      out.push_back(result("stop", "StopsTwice", on, "pass"));
      out.push_back(result("logs", "Reads", on, on == "swarm" ? "unsupported" : "pass"));
      out.push_back(result("exec", "Runs", on, on == "docker" || on == "reference" ? "pass" : "unsupported"));
      out.push_back(result("scale", "Scales", on, on == "swarm" || on == "reference" ? "pass" : "unsupported"));
    }
    return out;
  }
};

TEST_F(ThreeBackends, VerdictsNameWhoHasARowOrWhoLacksIt) {
  const auto m = load();
  ASSERT_TRUE(m.errors.empty()) << errors(m);
  EXPECT_EQ(kBackends, (std::vector<std::string>{"docker", "controlplane", "swarm"}));
  EXPECT_EQ(m.find("stop")->verdict(), Verdict::parity);
  EXPECT_EQ(verdictWords(*m.find("stop")), "parity");
  EXPECT_EQ(m.find("logs")->verdict(), Verdict::partial);
  EXPECT_EQ(verdictWords(*m.find("logs")), "unsupported on swarm");
  EXPECT_EQ(verdictSymbol(*m.find("logs")), "🔴");
  EXPECT_EQ(verdictWords(*m.find("exec")), "docker-only");
  EXPECT_EQ(verdictSymbol(*m.find("exec")), "🔴");
  EXPECT_EQ(verdictWords(*m.find("scale")), "swarm-only");
  EXPECT_EQ(verdictSymbol(*m.find("scale")), "🟡") << "the first backend lacks it";
  EXPECT_EQ(m.find("exec")->lacking(), (std::vector<std::string>{"controlplane", "swarm"}));
  EXPECT_EQ(verdictWords(*m.find("plugins")), "not built");
}

TEST_F(ThreeBackends, EachBackendNeedsADisposition) {
  write("runtime/src/swarm.cpp", "PARITY_IMPL(stop, swarm, \"service rm\");\n"
                                 "PARITY_UNSUPPORTED(exec, swarm, \"no exec into tasks\", \"#1\");\n"
                                 "PARITY_IMPL(scale, swarm, \"service scale\");\n"
                                 "PARITY_IMPL(plugins, swarm, \"configs\");\n");
  const auto m = load();
  const std::string e = errors(m);
  EXPECT_NE(e.find("parity/features.def:6: error: missing PARITY_IMPL or PARITY_UNSUPPORTED for 'logs' on swarm"),
            std::string::npos)
      << e;
  EXPECT_NE(e.find("swarm.cpp:4: error: 'plugins' is declared unbuilt at runtime/src/app.h:1 but has a disposition for swarm"),
            std::string::npos)
      << e;
  EXPECT_EQ(m.find("logs")->verdict(), Verdict::invalid);
  // The drift risks say which backend has nothing to say.
  EXPECT_NE(renderDriftRisks(m).find("❌ invalid: missing on Docker Swarm (no PARITY_IMPL or PARITY_UNSUPPORTED).\n"),
            std::string::npos)
      << renderDriftRisks(m);
}

TEST_F(ThreeBackends, TheDocHasAColumnAndTotalsForEachBackend) {
  const auto m = load();
  ASSERT_TRUE(m.errors.empty()) << errors(m);
  const std::string md = renderMarkdown(m);
  for (const char* part : {
           "| Feature | Docker | Control plane (EC2) | Docker Swarm | Verdict | Scenarios |\n|---|---|---|---|---|---|\n",
           "| Logs `logs` | container logs [docker.cpp:2](../runtime/src/docker.cpp#L2) | serial console "
           "[cp.cpp:2](../runtime/src/cp.cpp#L2) | unsupported: no log driver (tracked in #2) "
           "[swarm.cpp:2](../runtime/src/swarm.cpp#L2) | 🔴 unsupported on swarm |",
           // Every one-backend verdict, even at 0, then those of several backends, then per backend.
           "| Verdict | Rows |\n|---|---|\n| ✅ parity | 1 |\n| ⚠️ divergent | 0 |\n| 🔴 docker-only | 1 |\n"
           "| 🟡 controlplane-only | 0 |\n| 🟡 swarm-only | 1 |\n| 🔴 unsupported on swarm | 1 |\n| ⬜ not built | 1 |\n"
           "| all | 5 |\n\n",
           "| Backend | Implemented | Unsupported |\n|---|---|---|\n| Docker | 3 | 1 |\n| Control plane (EC2) | 2 | 2 |\n"
           "| Docker Swarm | 2 | 2 |\n\n",
           "Where the backends differ on purpose (divergent, some backends only)",
           // Drift risks name every backend that lacks a row, in column order.
           "- **Exec** (`exec`), 🔴 docker-only: unsupported on Control plane (EC2): no exec. Tracked in #1; "
           "[cp.cpp:3](../runtime/src/cp.cpp#L3). unsupported on Docker Swarm: no exec into tasks. Tracked in #1; "
           "[swarm.cpp:3](../runtime/src/swarm.cpp#L3).\n",
           "- **Scale** (`scale`), 🟡 swarm-only: unsupported on Docker: one container."})
    EXPECT_NE(md.find(part), std::string::npos) << part << "\n" << md;
  const json doc = json::parse(renderJson(m));
  EXPECT_EQ(doc["totals"]["unsupported on swarm"], 1) << doc.dump(1);
  EXPECT_EQ(doc["areas"][0]["features"][1]["cells"]["swarm"]["disposition"], "unsupported") << doc.dump(1);
}

TEST_F(ThreeBackends, TheGuideSectionsNameEveryBackend) {
  const auto m = load();
  ASSERT_TRUE(m.errors.empty()) << errors(m);
  EXPECT_NE(renderChecklist(m).find("a `PARITY_IMPL` or `PARITY_UNSUPPORTED` for each backend (`docker`, `controlplane` "
                                    "and `swarm`) where it is implemented"),
            std::string::npos)
      << renderChecklist(m);
  EXPECT_NE(renderEnforcement(m).find("(every built row needs one for each backend: `docker`, `controlplane` and "
                                      "`swarm`)"),
            std::string::npos)
      << renderEnforcement(m);
}

TEST_F(ThreeBackends, VerifyHoldsTheThirdColumnToItsAnnotations) {
  const auto m = load();
  ASSERT_TRUE(m.errors.empty()) << errors(m);
  auto v = verify(m, agreeing());
  EXPECT_TRUE(v.contradictions.empty()) << v.report.dump(1);
  EXPECT_EQ(v.report["backends"], json::array({"docker", "controlplane", "swarm", "reference"}));
  EXPECT_EQ(v.report["totals"]["verdicts"]["unsupported on swarm"]["rows"], 1) << v.report.dump(1);
  EXPECT_EQ(v.report["totals"]["backends"]["swarm"][kAgrees], 4) << v.report.dump(1);

  // swarm passes what it declares unsupported, and fails what it declares implemented.
  auto results = agreeing();
  for (auto& r : results)
    if (r["backend"] == "swarm" && r["feature"] == "logs") r["observed"] = "pass";
    else if (r["backend"] == "swarm" && r["feature"] == "scale") r["observed"] = "fail";
  v = verify(m, results);
  ASSERT_EQ(v.contradictions.size(), 2u) << v.report.dump(1);
  EXPECT_EQ(v.contradictions[0], "logs/Reads on swarm: passes, but the annotation says unsupported (XPASS): update "
                                 "runtime/src/swarm.cpp:2");
  EXPECT_EQ(v.contradictions[1], "scale/Scales on swarm: declared swarm-only (expects pass), observed fail");
  EXPECT_EQ(v.report["totals"]["backends"]["swarm"][kContradicts], 2);
  EXPECT_EQ(v.report["totals"]["verdicts"]["swarm-only"]["contradicted"], 1);

  // No results from the third backend is no evidence, not a pass.
  results = agreeing();
  std::erase_if(results, [](const json& r) { return r["backend"] == "swarm"; });
  v = verify(m, results);
  ASSERT_EQ(v.contradictions.size(), 1u) << v.report.dump(1);
  EXPECT_EQ(v.contradictions[0], "backend swarm produced no results: no evidence is not a pass");
}

TEST_F(ThreeBackends, TheReportHasAColumnForEachBackend) {
  const auto m = load();
  auto results = agreeing();
  for (auto& r : results)
    if (r["backend"] == "swarm" && r["feature"] == "scale") r["observed"] = "fail";
  const std::string html = renderHtml(verify(m, results).report);
  for (const char* part : {
           "<button type=\"button\">controlplane</button></th><th aria-sort=\"none\" data-type=\"number\">"
           "<button type=\"button\">swarm</button></th><th aria-sort=\"none\" data-type=\"number\">"
           "<button type=\"button\">reference</button>",
           "Status: ✓ parity · ⚠ divergent · ◐ docker-only · ◑ controlplane-only · ◑ swarm-only · "
           "◐ unsupported on swarm · ○ not built",
           "<tr><th>◐ unsupported on swarm</th><td>1</td><td>0</td></tr>",
           "<tr><th>◑ swarm-only</th><td>1</td><td>1</td></tr>",
           "<tr><th>swarm</th><td>3</td><td>1</td><td>0</td></tr>",
           "id=\"f-logs\" data-order=\"1\" data-differ=\"1\" data-contradicted=\"0\"",
           "id=\"f-scale\" data-order=\"3\" data-differ=\"1\" data-contradicted=\"1\"",
           "data-backend=\"swarm\">⊘ unsupported, as declared 1/1</button>",
           "data-backend=\"swarm\">✗ contradicted 1/1</button>",
           "<section class=\"backend\" data-backend=\"swarm\"><h3>swarm: unsupported</h3>"})
    EXPECT_NE(html.find(part), std::string::npos) << part << "\n" << html;
  // The status sort ranks the verdict of several backends with the partial ones, not as invalid.
  EXPECT_NE(html.find("<td class=\"\" data-sort=\"6\">◐ unsupported on swarm</td>"), std::string::npos) << html;
}

}  // namespace
}  // namespace parity
