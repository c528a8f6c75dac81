#pragma once
// A minimal contract harness: each CONTRACT_SCENARIO runs against every backend, and each
// backend's results go to one file that `parity verify` joins to the annotations. A scenario
// whose backend answers Status::unsupported is observed "unsupported"; a failed expectation is
// "fail"; else "pass". `parity` finds the scenarios by the macro's name (CONTRACT_SCENARIO).

#include <string>
#include <vector>

#include "jobs/runner.h"
#include "parity/parity.h"

namespace contract {

struct Unsupported {};

class Bench {
 public:
  explicit Bench(jobs::Runner& runner) : runner_(runner) {}
  jobs::Runner& runner() { return runner_; }
  /// A backend answer the scenario depends on: unsupported ends it as unsupported.
  void must(jobs::Status s, const std::string& what) {
    if (s == jobs::Status::unsupported) throw Unsupported{};
    expect(s == jobs::Status::ok, what + " failed");
  }
  void expect(bool ok, const std::string& what) {
    if (!ok && failure_.empty()) failure_ = what;
  }
  const std::string& failure() const { return failure_; }

 private:
  jobs::Runner& runner_;
  std::string failure_;
};

struct Scenario {
  const char* feature;
  const char* name;
  const char* file;
  int line;
  void (*body)(Bench&);
};

inline std::vector<Scenario>& scenarios() {
  static std::vector<Scenario> all;
  return all;
}
inline bool add(const Scenario& s) {
  scenarios().push_back(s);
  return true;
}

}  // namespace contract

/// Declares a scenario of parity feature `feature` (checked at compile time).
#define CONTRACT_SCENARIO(feature, name)                                                               \
  static_assert(::parity::annotated(::parity::Feature::feature));                                     \
  static void feature##_##name(::contract::Bench& bench);                                              \
  [[maybe_unused]] static const bool feature##_##name##_added =                                        \
      ::contract::add({#feature, #name, __FILE__, __LINE__, &feature##_##name});                        \
  static void feature##_##name([[maybe_unused]] ::contract::Bench& bench)
