#include "service/metrics.h"

#include <gtest/gtest.h>

#include <regex>
#include <sstream>

namespace ws {
namespace {

using namespace std::chrono_literals;

// The sample line of `name` with exactly `labels` (as rendered, e.g. method="GET",path="/x"), or "".
std::string sample(const std::string& text, const std::string& name, const std::string& labels) {
  std::istringstream in(text);
  const std::string prefix = labels.empty() ? name + " " : name + "{" + labels + "} ";
  for (std::string line; std::getline(in, line);)
    if (line.rfind(prefix, 0) == 0) return line.substr(prefix.size());
  return "";
}

// Every line is a comment or `name{labels} value`, as Prometheus parses the text format.
void expectParses(const std::string& text) {
  static const std::regex kSample(
      R"re([a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*",?)*\})? ([-+]?[0-9.eE+-]+|[-+]?Inf|NaN))re");
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    EXPECT_TRUE(std::regex_match(line, kSample)) << line;
  }
}

TEST(Metrics, CountsRequestsByRoutePatternAndStatus) {
  Metrics m;
  m.httpRequest("GET", "/workspaces/:id", 200, 4ms);
  m.httpRequest("GET", "/workspaces/:id", 200, 7ms);
  m.httpRequest("GET", "/workspaces/:id", 404, 1ms);
  m.httpRequest("GET", "", 404, 1ms);
  m.httpRequest("BREW", "", 405, 1ms);
  const auto text = m.render({});
  expectParses(text);
  EXPECT_EQ(sample(text, "molecule_http_requests_total", R"(method="GET",path="/workspaces/:id",status="200")"), "2");
  EXPECT_EQ(sample(text, "molecule_http_requests_total", R"(method="GET",path="/workspaces/:id",status="404")"), "1");
  EXPECT_EQ(sample(text, "molecule_http_requests_total", R"(method="GET",path="unmatched",status="404")"), "1");
  EXPECT_EQ(sample(text, "molecule_http_requests_total", R"(method="OTHER",path="unmatched",status="405")"), "1")
      << "an invented method must not make a series of its own";
  EXPECT_EQ(sample(text, "molecule_http_request_duration_seconds_count", R"(method="GET",path="/workspaces/:id")"), "3");
  EXPECT_EQ(sample(text, "molecule_http_request_duration_seconds_bucket", R"(method="GET",path="/workspaces/:id",le="0.005")"), "2");
}

TEST(Metrics, ProvisionBackendErrorsAndA2a) {
  Metrics m;
  m.provision("docker", true, 2s);
  m.provision("docker", false, 40s);
  m.backendError("docker", "stop");
  m.backendError("docker", "stop");
  m.a2aDelivery("ok", 300ms);
  const auto text = m.render({});
  expectParses(text);
  EXPECT_EQ(sample(text, "molecule_provision_duration_seconds_count", R"(backend="docker",outcome="ok")"), "1");
  EXPECT_EQ(sample(text, "molecule_provision_duration_seconds_sum", R"(backend="docker",outcome="failed")"), "40");
  EXPECT_EQ(sample(text, "molecule_backend_errors_total", R"(backend="docker",operation="stop")"), "2");
  EXPECT_EQ(sample(text, "molecule_a2a_proxy_duration_seconds_count", R"(outcome="ok")"), "1");
}

TEST(Metrics, RendersScrapeTimeGauges) {
  Metrics m;
  const auto text = m.render({{"molecule_workspaces", "Workspaces", {{{{"status", "online"}, {"backend", "docker"}}, 3}}},
                              {"molecule_websocket_connections_active", "Sockets", {{{}, 2}}}});
  expectParses(text);
  EXPECT_NE(text.find("# TYPE molecule_workspaces gauge"), std::string::npos);
  EXPECT_EQ(sample(text, "molecule_workspaces", R"(backend="docker",status="online")"), "3");
  EXPECT_EQ(sample(text, "molecule_websocket_connections_active", ""), "2");
}

TEST(Metrics, EscapesLabelValues) {
  Metrics m;
  m.backendError("docker", "with \"quote\"\nand newline");
  const auto text = m.render({});
  expectParses(text);
  EXPECT_EQ(text.find("\nand newline"), std::string::npos) << text;
}

}  // namespace
}  // namespace ws
