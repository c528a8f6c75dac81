#pragma once
// Contract results as `parity verify` reads them: one JSON file per run (or per scenario) in a
// results directory, {"results": [{"feature", "backend", "scenario", "file", "line",
// "expected", "observed", "detail"}]}, observed one of pass | fail | unsupported | not_run.
// Header-only and dependency-free, for a project's own contract tests:
//
//   parity::Results out;
//   out.add({.feature = "job_launch", .backend = "local", .scenario = "LaunchRuns",
//            .file = __FILE__, .line = __LINE__, .observed = "pass"});
//   out.write("build/contract-results/local.json");
//
// `expected` is informational (verify derives it from the annotations); `detail` is shown
// next to a contradiction.

#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

namespace parity {

struct Result {
  std::string feature, backend, scenario, file;
  int line = 0;
  std::string expected, observed, detail;
};

class Results {
 public:
  void add(Result r) { results_.push_back(std::move(r)); }
  const std::vector<Result>& all() const { return results_; }

  /// The results as verify's JSON.
  std::string json() const {
    std::string out = "{\"results\": [";
    for (size_t i = 0; i < results_.size(); ++i) {
      const Result& r = results_[i];
      out += i ? ",\n  {" : "\n  {";
      out += "\"feature\": " + quote(r.feature) + ", \"backend\": " + quote(r.backend) +
             ", \"scenario\": " + quote(r.scenario) + ", \"file\": " + quote(r.file) +
             ", \"line\": " + std::to_string(r.line) + ", \"expected\": " + quote(r.expected) +
             ", \"observed\": " + quote(r.observed) + ", \"detail\": " + quote(r.detail) + "}";
    }
    return out + "\n]}\n";
  }

  /// Writes json() to `path`, creating its directory; false when it cannot.
  bool write(const std::filesystem::path& path) const {
    std::error_code ec;
    if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path(), ec);
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << json();
    return static_cast<bool>(out);
  }

  static std::string quote(std::string_view s) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out = "\"";
    for (const char c : s) {
      const auto u = static_cast<unsigned char>(c);
      if (c == '"' || c == '\\') {
        out += '\\';
        out += c;
      } else if (c == '\n') {
        out += "\\n";
      } else if (c == '\t') {
        out += "\\t";
      } else if (u < 0x20) {
        out += "\\u00";
        out += kHex[u >> 4];
        out += kHex[u & 0xf];
      } else {
        out += c;
      }
    }
    return out + "\"";
  }

 private:
  std::vector<Result> results_;
};

}  // namespace parity
