#pragma once
// A small annotated source tree in a temporary directory, for the parity tool's tests: two
// backends, two features (one at parity, one unbuilt), one scenario, and no dispatcher until a
// test adds one.

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "model.h"

namespace parity::test {

class Tree : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = std::filesystem::temp_directory_path() /
            ("parity-model-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->test_suite_name() + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(root_);
    write("parity/features.def", "PARITY_AREA(life, \"Lifecycle\")\n"
                                 "PARITY_FEATURE(stop, life, \"Stop\")\n"
                                 "PARITY_FEATURE(plugins, life, \"Plugins\")\n"
                                 "PARITY_BACKEND(docker, \"Docker\")\n"
                                 "PARITY_BACKEND(controlplane, \"Control plane (EC2)\")\n");
    write("runtime/src/docker.cpp", "void stop() {\n  PARITY_IMPL(stop, docker, \"container rm\");\n}\n");
    write("runtime/src/cp.cpp", "void stop() {\n  PARITY_IMPL(stop, controlplane, \"terminate\");\n}\n");
    write("runtime/src/app.h", "PARITY_UNBUILT(plugins, \"no plugins\", \"roadmap#plugins\");\n");
    write("contract/s.cpp", "CONTRACT_SCENARIO(stop, StopsTwice) {}\n");
  }
  void TearDown() override { std::filesystem::remove_all(root_); }
  void write(const std::string& rel, const std::string& content) {
    std::filesystem::create_directories((root_ / rel).parent_path());
    std::ofstream(root_ / rel) << content;
  }
  Model load() { return loadModel(root_, layout_); }
  static std::string errors(const Model& m) {
    std::string out;
    for (const auto& e : m.errors) out += e + "\n";
    return out;
  }
  std::filesystem::path root_;
  /// This repository's layout (parity.toml), the doc in docs/.
  Layout layout_{.sources = {"runtime/src"}, .guarded = {"runtime/include", "tools", "tests", "checkers"},
                 .reference = "reference", .regenerate = "build/bin/parity render"};
};

}  // namespace parity::test
