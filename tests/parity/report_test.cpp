// parity verify's report: each result's status and message, the totals, the stamp, and the
// HTML page a person reads (symbols and words, per-cell detail, source links, self-contained).

#include <gtest/gtest.h>

#include <regex>

#include "tree.h"
#include "verify.h"

namespace parity {
namespace {

using nlohmann::json;
using test::Tree;

json result(const std::string& backend, const std::string& observed, const std::string& detail = "") {
  return {{"feature", "stop"}, {"scenario", "StopsTwice"}, {"backend", backend}, {"observed", observed}, {"detail", detail}};
}

class Report : public Tree {
 protected:
  Verification contradicted() {
    return verify(load(), {result("docker", "pass"), result("controlplane", "unsupported", "refused <everything> & more"),
                           result("reference", "not_run")});
  }
};

TEST_F(Report, EachResultCarriesItsStatusAndContradictionsTheirMessage) {
  const auto v = contradicted();
  const json& r = v.report["features"][0]["scenarios"][0]["results"];
  EXPECT_EQ(r["docker"]["status"], "agrees");
  EXPECT_EQ(r["controlplane"]["status"], "contradicts");
  EXPECT_EQ(r["controlplane"]["message"],
            "stop/StopsTwice on controlplane: declared parity (expects pass), observed unsupported: refused <everything> "
            "& more");
  EXPECT_EQ(r["reference"]["status"], "no evidence");
  EXPECT_EQ(v.report["features"][0]["contradicted"], true);
  EXPECT_EQ(v.report["features"][1]["contradicted"], false);
  // reference has no evidence at all: its own contradiction, not one per scenario.
  EXPECT_EQ(v.report["contradictions"].size(), 2u) << v.report["contradictions"].dump();
  EXPECT_EQ(v.report["totals"]["backends"]["controlplane"], (json{{"agrees", 0}, {"contradicts", 1}, {"no evidence", 0}}));
  EXPECT_EQ(v.report["totals"]["backends"]["docker"], (json{{"agrees", 1}, {"contradicts", 0}, {"no evidence", 0}}));
  EXPECT_EQ(v.report["totals"]["verdicts"]["parity"], (json{{"rows", 1}, {"contradicted", 1}}));
  EXPECT_EQ(v.report["totals"]["verdicts"]["not built"], (json{{"rows", 1}, {"contradicted", 0}}));
  EXPECT_EQ(v.report["areas"], json::parse(R"([{"id": "life", "title": "Lifecycle"}])"));
}

TEST_F(Report, TheStampSaysWhichCommitWasVerifiedAndWhen) {
  auto report = contradicted().report;
  stamp(report, {"0123456789abcdef0123", true, "2030-01-02T03:04:05Z"});
  EXPECT_EQ(report["verified"], (json{{"commit", "0123456789abcdef0123"}, {"dirty", true}, {"time", "2030-01-02T03:04:05Z"}}));
  const std::string html = renderHtml(report, "");
  EXPECT_NE(html.find("Commit <code id=\"commit\">0123456789ab</code> (with uncommitted changes) · verified "
                      "<time id=\"verified\">2030-01-02T03:04:05Z</time>"),
            std::string::npos)
      << html;
}

TEST_F(Report, HtmlSaysEveryStateInWordsAndOpensEachCellsScenarios) {
  const std::string html = renderHtml(contradicted().report, "https://example.test/blob/c0ffee/");
  // Rows: the contradicted one says so; the unbuilt one keeps its verdict.
  EXPECT_NE(html.find("<td class=\"bad\" data-sort=\"0\">✗ contradicted</td>"), std::string::npos) << html;
  EXPECT_NE(html.find(">○ not built</td>"), std::string::npos) << html;
  // Cells: a symbol and words, the count of scenarios, a button that opens the detail.
  EXPECT_NE(html.find("data-backend=\"docker\">✓ pass 1/1</button>"), std::string::npos) << html;
  EXPECT_NE(html.find("data-backend=\"controlplane\">✗ contradicted 1/1</button>"), std::string::npos) << html;
  EXPECT_NE(html.find("data-backend=\"reference\">… no evidence 0/1</button>"), std::string::npos) << html;
  EXPECT_NE(html.find("data-backend=\"docker\">— no scenario</button>"), std::string::npos) << html;
  // The detail: the scenario (linked to its line), expected, observed, status and the message, escaped.
  EXPECT_NE(html.find("<td><a href=\"https://example.test/blob/c0ffee/contract/s.cpp#L1\">StopsTwice</a></td><td>pass</td>"
                      "<td>unsupported</td><td>✗ contradicts</td><td class=\"message\">stop/StopsTwice on controlplane: "
                      "declared parity (expects pass), observed unsupported: refused &lt;everything&gt; &amp; more</td>"),
            std::string::npos)
      << html;
  EXPECT_NE(html.find("<li>container rm <a href=\"https://example.test/blob/c0ffee/runtime/src/docker.cpp#L2\">"
                      "runtime/src/docker.cpp:2</a></li>"),
            std::string::npos)
      << html;
  // Totals per backend and per verdict, and the contradictions on top.
  EXPECT_NE(html.find("<tr><th>controlplane</th><td>0</td><td>1</td><td>0</td></tr>"), std::string::npos) << html;
  EXPECT_NE(html.find("<tr><th>✓ parity</th><td>1</td><td>1</td></tr>"), std::string::npos) << html;
  EXPECT_NE(html.find("<strong class=\"bad\">✗ 2 contradictions</strong>"), std::string::npos) << html;
  // Search, sort and print are there.
  EXPECT_NE(html.find("<input type=\"search\" id=\"filter\""), std::string::npos);
  EXPECT_NE(html.find("aria-sort=\"none\""), std::string::npos);
  EXPECT_NE(html.find("@media print"), std::string::npos);
}

TEST_F(Report, HtmlIsSelfContained) {
  const std::string html = renderHtml(contradicted().report, "https://example.test/blob/c0ffee/");
  EXPECT_EQ(html.find("<link"), std::string::npos);
  EXPECT_EQ(html.find(" src="), std::string::npos);
  EXPECT_EQ(html.find("@import"), std::string::npos);
  EXPECT_EQ(html.find("url("), std::string::npos);
  // Every link goes to the source, nowhere else.
  const std::regex href("href=\"([^\"]*)\"");
  int links = 0;
  for (std::sregex_iterator it(html.begin(), html.end(), href), end; it != end; ++it, ++links)
    EXPECT_EQ((*it)[1].str().rfind("https://example.test/blob/c0ffee/", 0), 0u) << (*it)[1];
  EXPECT_GT(links, 3);
  // Without a source URL the locations are text.
  EXPECT_EQ(renderHtml(contradicted().report, "").find("href="), std::string::npos);
}

TEST_F(Report, HtmlMarksRowsWhoseBackendsDiffer) {
  write("runtime/src/cp.cpp", "PARITY_UNSUPPORTED(stop, controlplane, \"no\", \"#1\");\n");
  const auto v = verify(load(), {result("docker", "pass"), result("controlplane", "unsupported"), result("reference", "pass")});
  ASSERT_TRUE(v.contradictions.empty()) << v.report.dump(2);
  const std::string html = renderHtml(v.report);
  EXPECT_NE(html.find("id=\"f-stop\" data-order=\"0\" data-differ=\"1\" data-contradicted=\"0\""), std::string::npos) << html;
  EXPECT_NE(html.find("data-backend=\"controlplane\">⊘ unsupported, as declared 1/1</button>"), std::string::npos) << html;
  EXPECT_NE(html.find("<strong class=\"ok\">✓ no contradictions</strong>"), std::string::npos);
}

}  // namespace
}  // namespace parity
