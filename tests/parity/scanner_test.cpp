#include "scanner.h"

#include <gtest/gtest.h>

namespace parity {
namespace {

const std::set<std::string, std::less<>> kNames = {"PARITY_IMPL", "PARITY_UNSUPPORTED"};

TEST(Scanner, ReadsIdentifiersAndJoinsAdjacentStrings) {
  const auto calls = scanMacroCalls("void f() {\n  PARITY_IMPL(workspace_stop, docker, \"force \" \"remove\");\n}\n", kNames);
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].line, 2);
  ASSERT_EQ(calls[0].args.size(), 3u);
  EXPECT_EQ(calls[0].args[0].kind, Argument::Kind::identifier);
  EXPECT_EQ(calls[0].args[0].value, "workspace_stop");
  EXPECT_EQ(calls[0].args[2].kind, Argument::Kind::string);
  EXPECT_EQ(calls[0].args[2].value, "force remove");
}

TEST(Scanner, SkipsCommentsStringsAndDirectives) {
  const std::string src = R"src(// PARITY_IMPL(a, docker, "in a line comment")
/* PARITY_IMPL(b, docker, "in a block comment")
*/
#define PARITY_IMPL(f, b, how) \
  static_assert(true, how)
const char* s = "PARITY_IMPL(c, docker, \"in a string\")";
const char* r = R"x(PARITY_IMPL(d, docker, "in a raw string"))x";
char q = '(';
PARITY_IMPL(real, controlplane, "counted");
)src";
  const auto calls = scanMacroCalls(src, kNames);
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].args[0].value, "real");
  EXPECT_EQ(calls[0].line, 9) << "lines inside comments, continuations and raw strings are counted";
}

TEST(Scanner, KeepsNestedArgumentsTogetherAndFlagsNonLiterals) {
  const auto calls = scanMacroCalls("PARITY_UNSUPPORTED(x, docker, why(1, 2), \"t\")", kNames);
  ASSERT_EQ(calls.size(), 1u);
  ASSERT_EQ(calls[0].args.size(), 4u);
  EXPECT_EQ(calls[0].args[2].kind, Argument::Kind::other);
}

TEST(Scanner, ReportsUnbalancedCalls) {
  const auto calls = scanMacroCalls("PARITY_IMPL(x, docker, \"never closed\"", kNames);
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_FALSE(calls[0].error.empty());
}

TEST(Scanner, IgnoresNamesThatAreNotCalls) {
  EXPECT_TRUE(scanMacroCalls("int PARITY_IMPL; auto p = &PARITY_IMPL;", kNames).empty());
  EXPECT_TRUE(scanMacroCalls("MY_PARITY_IMPL(x, docker, \"y\")", kNames).empty());
}

}  // namespace
}  // namespace parity
