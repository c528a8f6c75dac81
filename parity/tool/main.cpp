// parity: renders and checks the matrix doc from the PARITY_* annotations, verifies contract
// results against them, and writes the matrix as JSON for the dashboard.
// Where a project keeps its features list, sources, scenarios and doc comes from the options
// or from <root>/parity.toml (docs/toolchain.md).
// Exit codes: 0 ok, 1 stale doc, 2 invalid annotations, 3 results contradict the annotations,
// 4 usage or I/O error.

#include <CLI/CLI.hpp>

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <regex>
#include <sstream>

#include "model.h"
#include "render.h"
#include "verify.h"

namespace fs = std::filesystem;

namespace {

constexpr int kStale = 1, kInvalid = 2, kContradicted = 3, kIoError = 4;
constexpr const char* kConfigName = "parity.toml";

/// --root's default: the nearest directory, from the current one up, holding parity.toml; else,
/// for the build tree's own binary, the tree it was built from; else the current directory.
fs::path defaultRoot() {
  std::error_code ec;
  const fs::path cwd = fs::current_path(ec);
  for (fs::path d = cwd; !d.empty(); d = d.parent_path()) {
    if (fs::exists(d / kConfigName, ec)) return d;
    if (d == d.root_path()) break;
  }
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec && fs::equivalent(exe.parent_path(), PARITY_BUILD_BIN_DIR, ec)) return PARITY_SOURCE_DIR;
  return cwd;
}

/// --root as given on the command line (it locates the configuration file), else "".
std::string rootArgument(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a == "--root" && i + 1 < argc) return argv[i + 1];
    if (a.starts_with("--root=")) return std::string(a.substr(7));
  }
  return "";
}

std::string readFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool writeFile(const fs::path& p, const std::string& content) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << content;
  return static_cast<bool>(out);
}

/// Loads the model and prints its problems; nullopt when there are any.
std::optional<parity::Model> load(const fs::path& root, const parity::Layout& layout) {
  auto model = parity::loadModel(root, layout);
  if (model.errors.empty()) return model;
  for (const auto& e : model.errors) std::cerr << e << "\n";
  std::cerr << "parity: " << model.errors.size() << " annotation error(s)\n";
  return std::nullopt;
}

/// The doc with every file:line link reduced to its file, to tell moved lines from real changes.
std::string withoutLocations(const std::string& md) {
  static const std::regex kLocation(R"(:\d+\]\(([^)#]*)#L\d+\))");
  return std::regex_replace(md, kLocation, "]($1)");
}

/// A unified diff between the committed doc and what it should be, through diff(1).
void printDiff(const fs::path& committed, const std::string& expected) {
  const fs::path tmp = fs::temp_directory_path() / ("parity-expected-" + std::to_string(::getpid()) + ".md");
  if (!writeFile(tmp, expected)) return;
  const std::string cmd = "diff -u --label committed --label generated '" + committed.string() + "' '" + tmp.string() + "'";
  if (FILE* p = ::popen(cmd.c_str(), "r")) {
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) std::cerr.write(buf, static_cast<std::streamsize>(n));
    ::pclose(p);
  }
  fs::remove(tmp);
}

/// The first line a command prints, or "" when it fails.
std::string firstLine(const std::string& cmd) {
  std::string out;
  if (FILE* p = ::popen(cmd.c_str(), "r")) {
    char buf[256];
    while (std::fgets(buf, sizeof buf, p)) out += buf;
    if (::pclose(p) != 0) return "";
  }
  return out.substr(0, out.find('\n'));
}

/// Which tree is being verified, and when (SOURCE_DATE_EPOCH, if set, instead of now).
parity::Stamp stampOf(const fs::path& root) {
  const std::string git = "git -C '" + root.string() + "' ";
  parity::Stamp s;
  s.commit = firstLine(git + "rev-parse HEAD 2>/dev/null");
  s.dirty = !s.commit.empty() && !firstLine(git + "status --porcelain --untracked-files=no 2>/dev/null").empty();
  std::time_t now = std::time(nullptr);
  if (const char* epoch = std::getenv("SOURCE_DATE_EPOCH")) now = static_cast<std::time_t>(std::strtoll(epoch, nullptr, 10));
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
  s.time = buf;
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Backend parity: render the matrix doc from the PARITY_* annotations, check it is current, and "
               "verify contract results against it.\nExit codes: 0 ok, 1 stale doc, 2 invalid annotations, 3 "
               "results contradict the annotations, 4 usage or I/O error."};
  app.require_subcommand(1);
  app.set_version_flag("--version", "parity " WS_VERSION);
  std::string root = rootArgument(argc, argv);
  if (root.empty()) root = defaultRoot().string();
  app.add_option("--root", root,
                 "Project root (default: the nearest directory up from here holding parity.toml)")
      ->capture_default_str();
  app.set_config("--config", (fs::path(root) / kConfigName).string(),
                 "The project's layout as TOML: the options below as `name = value` (default: <root>/parity.toml)");
  parity::Layout layout;
  app.add_option("--features", layout.features, "Features list: PARITY_BACKEND, PARITY_AREA, PARITY_FEATURE")
      ->capture_default_str();
  app.add_option("--sources", layout.sources, "Directories whose PARITY_* annotations are read")->capture_default_str();
  app.add_option("--scenarios", layout.scenarios, "Directories whose CONTRACT_SCENARIOs are read")
      ->capture_default_str();
  app.add_option("--guarded", layout.guarded, "More directories where an annotation is an error");
  app.add_option("--doc", layout.doc, "The rendered matrix that `check` compares")->capture_default_str();
  app.add_option("--reference", layout.reference,
                 "A backend whose results must pass but that is no matrix column (default: none)");
  app.add_option("--gates", layout.gates, "The gates CI runs (PARITY_GATE), listed in the doc if the file exists")
      ->capture_default_str();
  app.add_option("--regenerate", layout.regenerate,
                 "The command that rewrites the doc, as the doc and messages name it")
      ->capture_default_str();

  std::string output;
  auto* render = app.add_subcommand("render", "Write the matrix (--doc) from the annotations");
  render->add_option("-o,--output", output, "Write here instead of <root>/<doc>");

  std::string json_out;
  auto* json_cmd = app.add_subcommand("json", "Write the matrix as JSON (for the dashboard), only when it changed");
  json_cmd->add_option("-o,--output", json_out, "The file to write")->required();

  auto* check = app.add_subcommand(
      "check",
      "Validate the annotations (exit 2) and fail when the doc (--doc) is not what render would write (exit 1)");

  std::string results, out_dir;
  auto* verify = app.add_subcommand(
      "verify", "Join contract results to the annotations; exit 3 on any contradiction. Writes parity.json and parity.html");
  verify->add_option("--results", results, "Directory of contract result files (*.json)")->required();
  bool partial = false;
  verify->add_flag("--partial", partial,
                   "The results come from a filtered run: check only what was observed, owe nothing for what did not "
                   "run");
  verify->add_option("--out", out_dir, "Where to write parity.json and parity.html (default: the results directory)");
  std::string source_url;
  verify->add_option("--source-url", source_url,
                     "Prefix of the report's links to the source, followed by FILE#LLINE (e.g. "
                     "https://github.com/ORG/REPO/blob/COMMIT/; default: file:// and the source tree)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? 0 : kIoError;
  }

  auto model = load(root, layout);
  if (!model) return kInvalid;
  const fs::path doc = fs::path(root) / layout.doc;

  if (render->parsed()) {
    const fs::path target = output.empty() ? doc : fs::path(output);
    if (!writeFile(target, parity::renderMarkdown(*model))) {
      std::cerr << "parity: cannot write " << target << "\n";
      return kIoError;
    }
    std::cout << "wrote " << target.string() << " (" << model->features.size() << " features)\n";
    return 0;
  }

  if (json_cmd->parsed()) {
    const std::string text = parity::renderJson(*model);
    // Untouched when current, so that what embeds it is not rebuilt.
    if (fs::exists(json_out) && readFile(json_out) == text) return 0;
    if (!writeFile(json_out, text)) {
      std::cerr << "parity: cannot write " << json_out << "\n";
      return kIoError;
    }
    return 0;
  }

  if (check->parsed()) {
    const std::string expected = parity::renderMarkdown(*model);
    if (!fs::exists(doc)) {
      std::cerr << "parity: " << layout.doc << " is missing; run: " << layout.regenerate << "\n";
      return kStale;
    }
    if (const std::string committed = readFile(doc); committed != expected) {
      printDiff(doc, expected);
      std::cerr << "parity: " << layout.doc << " is stale or was edited by hand"
                << (withoutLocations(committed) == withoutLocations(expected) ? " (only source locations moved)" : "")
                << "; run: " << layout.regenerate << "\n";
      return kStale;
    }
    std::cout << "parity: " << model->features.size() << " features annotated, " << layout.doc << " is current\n";
    return 0;
  }

  try {
    const auto verification = parity::verify(*model, parity::readResults(results),
                                             partial ? parity::Coverage::partial : parity::Coverage::full);
    auto report = verification.report;
    parity::stamp(report, stampOf(root));
    if (source_url.empty()) source_url = "file://" + fs::absolute(root).lexically_normal().string() + "/";
    const fs::path dir = out_dir.empty() ? fs::path(results) : fs::path(out_dir);
    fs::create_directories(dir);
    if (!writeFile(dir / "parity.json", report.dump(2) + "\n") ||
        !writeFile(dir / "parity.html", parity::renderHtml(report, source_url))) {
      std::cerr << "parity: cannot write into " << dir << "\n";
      return kIoError;
    }
    for (const auto& w : verification.warnings) std::cerr << "warning: " << w << "\n";
    for (const auto& c : verification.contradictions) std::cerr << "contradiction: " << c << "\n";
    std::cout << "parity: wrote " << (dir / "parity.json").string() << " and parity.html; "
              << verification.contradictions.size() << " contradiction(s)\n";
    return verification.contradictions.empty() ? 0 : kContradicted;
  } catch (const std::exception& e) {
    std::cerr << "parity: " << e.what() << "\n";
    return kIoError;
  }
}
