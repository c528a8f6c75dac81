// parity/results.h, the installed results writer: what it writes is what verify reads.

#include "parity/results.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include "verify.h"

namespace parity {
namespace {

namespace fs = std::filesystem;

TEST(Results, WhatTheWriterWritesVerifyReads) {
  const fs::path dir = fs::temp_directory_path() / ("parity-results-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  Results out;
  out.add({.feature = "stop", .backend = "docker", .scenario = "Twice", .file = "c/s.cpp", .line = 7,
           .expected = "pass", .observed = "fail", .detail = "said \"no\"\\\n\tthen \x01"});
  out.add({.feature = "stop", .backend = "cp", .scenario = "Twice", .file = "", .line = 0, .expected = "",
           .observed = "unsupported", .detail = ""});
  ASSERT_TRUE(out.write(dir / "nested" / "run.json"));
  fs::rename(dir / "nested" / "run.json", dir / "run.json");
  const auto read = readResults(dir);
  fs::remove_all(dir);
  ASSERT_EQ(read.size(), 2u);
  EXPECT_EQ(read[0]["feature"], "stop");
  EXPECT_EQ(read[0]["line"], 7);
  EXPECT_EQ(read[0]["observed"], "fail");
  EXPECT_EQ(read[0]["detail"], "said \"no\"\\\n\tthen \x01");
  EXPECT_EQ(read[1]["backend"], "cp");
  EXPECT_EQ(read[1]["observed"], "unsupported");
}

TEST(Results, NoResultsIsAnEmptyList) { EXPECT_EQ(Results().json(), "{\"results\": [\n]}\n"); }

}  // namespace
}  // namespace parity
