#include "harness.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <stdexcept>
#include <thread>

#include <nlohmann/json.hpp>

#include "support/backend_env.h"
#include "support/resource_journal.h"
#include "core/tar.h"
#include "core/util.h"
#include "model.h"
#include "reference_provisioner.h"

namespace ws::contract {
namespace fs = std::filesystem;
using namespace std::chrono_literals;
using nlohmann::json;

// ---- Bench -------------------------------------------------------------------------------

Bench::~Bench() {
  for (const auto& id : ids_) {
    (void)provisioner().stop(id);
    (void)provisioner().removeVolumes(id);
  }
}

std::string Bench::newId() {
  ids_.push_back(newUuid());
  return ids_.back();
}

WorkspaceConfig Bench::config(const std::string& id) const {
  WorkspaceConfig c;
  c.workspace_id = id;
  c.runtime = "langgraph";
  c.tier = 2;
  c.platform_url = "http://127.0.0.1:9";  // nothing listens: the agent keeps trying to register
  c.config_files = {{"config.yaml", "name: \"contract " + id.substr(0, 8) + "\"\nruntime: \"langgraph\"\n"},
                    {".auth_token", "contract-token-" + id}};
  c.env = {{"WORKSPACE_ID", id}, {"PLATFORM_URL", c.platform_url}};
  return c;
}

std::string Bench::started(const std::function<void(WorkspaceConfig&)>& adjust) {
  const std::string id = newId();
  auto c = config(id);
  if (adjust) adjust(c);
  must(provisioner().start(c), "start");
  if (!eventually([&] { return provisioner().isRunning(id).running; }))
    throw StepFailed("the workload of " + id + " never ran");
  return id;
}

bool Bench::eventually(const std::function<bool()>& done, std::chrono::seconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(100ms);
  }
  return true;
}

test::BackendEnv& Bench::server() {
  if (auto* env = backend_.serverEnv()) return *env;
  throw NotApplicable("a server-level scenario needs a backend whose workloads run the agent");
}

std::string Bench::readFile(const std::string& id, const std::string& path) {
  const auto tar = must(provisioner().readArchive(id, path), "readArchive " + path);
  const auto entries = must(readTar(tar), "untar " + path);
  for (const auto& e : entries)
    if (!e.directory) return e.content;
  throw StepFailed("readArchive " + path + ": no file in the archive");
}

void Bench::fail(const Error& e, const std::string& what) {
  const std::string message = what + ": " + errcName(e.code) + ": " + e.message;
  if (e.code == Errc::unsupported) throw ObservedUnsupported(message);
  throw StepFailed(message);
}

// ---- Judging and recording ---------------------------------------------------------------

namespace {

/// The parity model of the source tree, loaded once.
const parity::Model& model() {
  static const parity::Model m = parity::loadModel(WS_SOURCE_DIR, parity::loadLayout(WS_SOURCE_DIR));
  return m;
}

/// "pass" or "unsupported" as the annotations declare; "" when they declare nothing usable.
std::string expectedOutcome(const std::string& feature, const std::string& column) {
  if (column == model().reference) return "pass";
  const auto* f = model().find(feature);
  if (!f) return "";
  auto it = f->cells.find(column);
  if (it == f->cells.end()) return "";
  return it->second.disposition == parity::Disposition::unsupported ? "unsupported" : "pass";
}

fs::path resultsDir() {
  const char* dir = std::getenv("WS_CONTRACT_RESULTS");
  return dir && *dir ? fs::path(dir) : fs::path(WS_CONTRACT_RESULTS_DIR);
}

void record(const json& result) {
  const fs::path dir = resultsDir();
  fs::create_directories(dir);
  const std::string name = result["backend"].get<std::string>() + "." + result["feature"].get<std::string>() + "." +
                           result["scenario"].get<std::string>() + ".json";
  std::ofstream(dir / name) << json{{"results", json::array({result})}}.dump(2) << "\n";
}

std::string firstFailure() {
  const auto* result = ::testing::UnitTest::GetInstance()->current_test_info()->result();
  for (int i = 0; i < result->total_part_count(); ++i)
    if (result->GetTestPartResult(i).failed()) return result->GetTestPartResult(i).summary();
  return "";
}

/// A backend whose every operation answers unsupported: WS_CONTRACT_FORCE_UNSUPPORTED=<column>
/// swaps it in, so that the gate tests can prove `parity verify` notices.
class UnsupportedProvisioner final : public Provisioner {
 public:
  std::string name() const override { return "forced-unsupported"; }
  Result<StartResult> start(const WorkspaceConfig&) override { return no(); }
  Result<> stop(const std::string&) override { return no(); }
  Liveness isRunning(const std::string&) override { return {true, no()}; }
  Result<std::string> bootLog(const std::string&) override { return no(); }
  Result<ExecResult> exec(const std::string&, const std::vector<std::string>&, const std::string&) override { return no(); }
  Result<std::string> readArchive(const std::string&, const std::string&) override { return no(); }
  Result<> writeArchive(const std::string&, const std::string&, const std::string&) override { return no(); }
  Result<TerminalPtr> openTerminal(const std::string&) override { return no(); }
  Result<std::vector<std::string>> listManaged() override { return no(); }
  Result<> removeVolumes(const std::string&) override { return no(); }

 private:
  static Error no() { return {Errc::unsupported, "forced by WS_CONTRACT_FORCE_UNSUPPORTED"}; }
};

class ForcedUnsupported final : public BackendUnderTest {
 public:
  Provisioner& provisioner() override { return p_; }
  std::unique_ptr<Provisioner> unwired() override { return std::make_unique<UnsupportedProvisioner>(); }
  void killBehindItsBack(const std::string&) override {}
  void crashBehindItsBack(const std::string&) override {}
  bool keepsWorkspaceData() const override { return false; }

 private:
  UnsupportedProvisioner p_;
};

}  // namespace

void runScenario(const char* column, BackendFactory make, const char* feature, const char* scenario,
                 const char* file, int line, ScenarioBody body) {
  std::error_code ec;
  const auto relative = fs::relative(fs::path(file), WS_SOURCE_DIR, ec);
  json result{{"feature", feature}, {"backend", column}, {"scenario", scenario},
              {"file", ec ? std::string(file) : relative.generic_string()}, {"line", line}};
  for (const auto& e : model().errors) ADD_FAILURE() << e;
  const std::string expected = expectedOutcome(feature, column);
  result["expected"] = expected;
  ::testing::Test::RecordProperty("parity_feature", feature);
  ::testing::Test::RecordProperty("parity_backend", column);
  ::testing::Test::RecordProperty("parity_expected", expected);

  auto skip = [&](const std::string& why) {
    result["observed"] = "not_run";
    result["detail"] = why;
    record(result);
  };
  if (expected.empty()) {
    skip("no disposition for this backend");
    FAIL() << feature << " has no PARITY_IMPL or PARITY_UNSUPPORTED for " << column << ": run build/bin/parity check";
  }

  std::unique_ptr<BackendUnderTest> backend;
  try {
    const char* forced = std::getenv("WS_CONTRACT_FORCE_UNSUPPORTED");
    backend = forced && std::string(forced) == column ? std::make_unique<ForcedUnsupported>() : make();
  } catch (const std::exception& e) {
    skip(std::string("environment missing: ") + e.what());
    // No engine or emulator is no evidence either way: a failure, unless a local run opts out.
    const char* allow = std::getenv("WS_CONTRACT_ALLOW_MISSING");
    if (!allow || std::string(allow) != "1")
      FAIL() << "the " << column << " environment is missing (" << e.what()
             << "); ./tools/test starts it, or set WS_CONTRACT_ALLOW_MISSING=1 to skip locally";
    std::fprintf(stderr, "WARNING: %s not run on %s, WS_CONTRACT_ALLOW_MISSING=1: this run proves nothing there\n",
                 scenario, column);
    GTEST_SKIP() << "not run (no evidence): " << e.what();
  }

  // Which scenario was running, should the run be killed: tools/contract-sweep reports it.
  test::ResourceJournal::get().record("scenario", {{"backend", column}, {"feature", feature}, {"scenario", scenario}});
  std::string observed, detail;
  try {
    Bench bench(*backend);
    body(bench);
  } catch (const ObservedUnsupported& e) {
    observed = "unsupported";
    detail = e.what();
  } catch (const NotApplicable& e) {
    skip(e.what());
    GTEST_SKIP() << "not run: " << e.what();
  } catch (const StepFailed& e) {
    observed = "fail";
    detail = e.what();
    ADD_FAILURE() << e.what();
  } catch (const std::exception& e) {
    observed = "fail";
    detail = std::string("exception: ") + e.what();
    ADD_FAILURE() << detail;
  }
  if (observed.empty()) observed = ::testing::Test::HasFailure() ? "fail" : "pass";
  if (observed == "fail" && detail.empty()) detail = firstFailure();

  if (observed != expected && observed != "fail") {
    if (expected == "unsupported")
      ADD_FAILURE() << feature << " is declared unsupported on " << column
                    << " but the scenario passes: update the annotation (XPASS)";
    else
      ADD_FAILURE() << feature << " is declared implemented on " << column << " but the backend answered: " << detail;
  }
  ::testing::Test::RecordProperty("parity_observed", observed);
  result["observed"] = observed;
  result["detail"] = detail;
  record(result);
}

// ---- The backends --------------------------------------------------------------------------

namespace {

class Reference final : public BackendUnderTest {
 public:
  Provisioner& provisioner() override { return p_; }
  std::unique_ptr<Provisioner> unwired() override { return std::make_unique<ReferenceProvisioner>(false); }
  void killBehindItsBack(const std::string& id) override { p_.kill(id); }
  void crashBehindItsBack(const std::string& id) override { p_.kill(id); }
  bool keepsWorkspaceData() const override { return true; }

 private:
  ReferenceProvisioner p_;
};

/// A real backend: its test environment (engine or emulator) and a provisioner on it.
template <class Env>
class Real final : public BackendUnderTest {
 public:
  Provisioner& provisioner() override { return env_.provisioner(); }
  std::unique_ptr<Provisioner> unwired() override { return env_.unwired(); }
  void killBehindItsBack(const std::string& id) override { env_.killBehindItsBack(id); }
  void crashBehindItsBack(const std::string& id) override { env_.crashBehindItsBack(id); }
  bool keepsWorkspaceData() const override { return env_.keepsWorkspaceData(); }
  test::BackendEnv* serverEnv() override { return &env_; }

 private:
  Env env_;
};

}  // namespace

std::unique_ptr<BackendUnderTest> ReferenceBackend::make() { return std::make_unique<Reference>(); }
std::unique_ptr<BackendUnderTest> makeBackend(std::string_view column) {
  // One line per backend that has a test environment (tests/support/backend_env.h).
  if (column == "docker") return std::make_unique<Real<test::DockerEnv>>();
  if (column == "controlplane") return std::make_unique<Real<test::ControlPlaneEnv>>();
  if (column == "swarm") return std::make_unique<Real<test::SwarmEnv>>();
  throw std::runtime_error("no test environment for backend " + std::string(column) +
                           " (add it to makeBackend in contract/harness.cpp)");
}

}  // namespace ws::contract
