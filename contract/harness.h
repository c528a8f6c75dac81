#pragma once
// The contract harness: scenarios declared once per parity feature and run, as typed
// GoogleTest suites, against every backend (the reference model, Docker on a real engine, the
// control plane on cp-emulator).
//
//   CONTRACT_SCENARIO(workspace_stop, StopIsIdempotent) {
//     const auto id = bench.started();
//     bench.must(bench.provisioner().stop(id), "stop");
//     ...
//   }
//
// What a scenario must observe comes from the parity annotations: on a backend where the
// feature is implemented its assertions must pass; where it is declared unsupported the
// backend must answer Errc::unsupported (a pass there fails, like a strict xfail). Each run
// writes a JSON result that `parity verify` joins to the annotations.

#include <gtest/gtest.h>

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "parity/parity.h"
#include "ws/provisioner.h"

namespace ws::test {
class BackendEnv;
}

namespace ws::contract {

/// A backend as the scenarios see it.
class BackendUnderTest {
 public:
  virtual ~BackendUnderTest() = default;
  virtual Provisioner& provisioner() = 0;
  /// The same backend with no client wired.
  virtual std::unique_ptr<Provisioner> unwired() = 0;
  /// Ends the workload without telling the provisioner.
  virtual void killBehindItsBack(const std::string& id) = 0;
  /// Stops the workload's processes and leaves the workload itself (an exited container, a
  /// stopped instance), as a crash would.
  virtual void crashBehindItsBack(const std::string& id) = 0;
  /// Whether /workspace survives a stop and start (a declared divergence).
  virtual bool keepsWorkspaceData() const = 0;
  /// The environment to run the real server on; null for a backend that cannot host it.
  virtual test::BackendEnv* serverEnv() { return nullptr; }
};

/// Thrown by Bench::must when the backend answers Errc::unsupported.
struct ObservedUnsupported : std::runtime_error {
  using std::runtime_error::runtime_error;
};
/// Thrown by Bench::must on any other error: the scenario cannot go on.
struct StepFailed : std::runtime_error {
  using std::runtime_error::runtime_error;
};
/// Thrown when the scenario does not apply to this backend (reported as not run).
struct NotApplicable : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// What a scenario body works with. Workspaces it starts are stopped and their storage removed
/// when it ends.
class Bench {
 public:
  explicit Bench(BackendUnderTest& backend) : backend_(backend) {}
  ~Bench();
  Bench(const Bench&) = delete;
  Bench& operator=(const Bench&) = delete;

  BackendUnderTest& backend() { return backend_; }
  Provisioner& provisioner() { return backend_.provisioner(); }

  /// A fresh workspace id, cleaned up at the end.
  std::string newId();
  /// The start configuration every scenario begins from: tier 2, a config.yaml naming the
  /// workspace, a token, and an unreachable platform (the agent keeps retrying).
  WorkspaceConfig config(const std::string& id) const;
  /// Starts a workspace (with `config(id)` as changed by `adjust`) and waits until it runs.
  std::string started(const std::function<void(WorkspaceConfig&)>& adjust = {});

  /// The value of `r`, or throws ObservedUnsupported / StepFailed naming `what`.
  template <class T>
  T must(Result<T> r, const std::string& what) {
    if (!r) fail(r.error(), what);
    return std::move(*r);
  }
  void must(Result<> r, const std::string& what) {
    if (!r) fail(r.error(), what);
  }
  /// Polls `done` every 100 ms for up to `limit`.
  static bool eventually(const std::function<bool()>& done, std::chrono::seconds limit = std::chrono::seconds(30));

  /// The real server's environment for this backend, or NotApplicable.
  test::BackendEnv& server();

  /// The content of the file at `path` inside the workspace, read through readArchive.
  std::string readFile(const std::string& id, const std::string& path);

 private:
  [[noreturn]] static void fail(const Error& e, const std::string& what);
  BackendUnderTest& backend_;
  std::vector<std::string> ids_;
};

using ScenarioBody = void (*)(Bench&);
using BackendFactory = std::unique_ptr<BackendUnderTest> (*)();

/// Runs one scenario on one backend, judges it against the annotations, records the result.
void runScenario(const char* column, BackendFactory make, const char* feature, const char* scenario,
                 const char* file, int line, ScenarioBody body);

/// The test environment of a matrix column, by its id (PARITY_BACKEND in parity/features.def);
/// throws for a backend that has none yet, which fails its scenarios as a missing environment.
std::unique_ptr<BackendUnderTest> makeBackend(std::string_view column);

// The typed suite: the reference model, then one type per backend column of the features list.
struct ReferenceBackend {
  static constexpr const char* kColumn = "reference";
  static std::unique_ptr<BackendUnderTest> make();
};
template <std::size_t I>
struct ColumnBackend {
  static constexpr const char* kColumn = ::parity::kBackendIds[I];
  static std::unique_ptr<BackendUnderTest> make() { return makeBackend(kColumn); }
};

template <class Backend>
class Contract : public ::testing::Test {};

struct BackendNames {
  template <class T>
  static std::string GetName(int) {
    return T::kColumn;
  }
};

template <std::size_t... I>
::testing::Types<ReferenceBackend, ColumnBackend<I>...> columnTypes(std::index_sequence<I...>);
using Backends = decltype(columnTypes(std::make_index_sequence<::parity::kBackendCount>{}));
TYPED_TEST_SUITE(Contract, Backends, BackendNames);

}  // namespace ws::contract

/// Declares a scenario of parity feature `feature` (checked at compile time); the body that
/// follows gets `bench`.
#define CONTRACT_SCENARIO(feature, name)                                                                   \
  static void feature##_##name(::ws::contract::Bench& bench);                                              \
  TYPED_TEST(Contract, feature##_##name) {                                                                 \
    static_assert(::parity::annotated(::parity::Feature::feature));                                       \
    ::ws::contract::runScenario(TypeParam::kColumn, &TypeParam::make, #feature, #name, __FILE__, __LINE__, \
                                &feature##_##name);                                                        \
  }                                                                                                        \
  static void feature##_##name([[maybe_unused]] ::ws::contract::Bench& bench)
