#include "core/json_input.h"

#include <gtest/gtest.h>

namespace ws {
namespace {

TEST(JsonInput, EmptyBodyIsAnEmptyObject) {
  JsonInput in("  ");
  EXPECT_FALSE(in.error());
  EXPECT_FALSE(in.string("name"));
}

TEST(JsonInput, MalformedAndNonObjectBodies) {
  EXPECT_EQ(*JsonInput("{oops").error(), "invalid JSON");
  EXPECT_EQ(*JsonInput(std::string(65, '[') + std::string(65, ']')).error(), "JSON nested deeper than 64 levels");
  EXPECT_FALSE(JsonInput("{\"a\":" + std::string(63, '[') + std::string(63, ']') + "}").error()) << "64 levels are fine";
  EXPECT_EQ(*JsonInput("[1]").error(), "request body must be a JSON object");
  EXPECT_EQ(*JsonInput("\"str\"").error(), "request body must be a JSON object");
}

TEST(JsonInput, TypedReadsKeepTheFirstError) {
  JsonInput in(R"({"name": 1, "tier": "x", "ok": true, "n": null, "f": 2.0, "g": 2.5})");
  EXPECT_FALSE(in.string("name"));
  EXPECT_FALSE(in.integer("tier"));
  EXPECT_EQ(*in.error(), "name must be a string");
  EXPECT_EQ(in.boolean("ok"), true);
  EXPECT_FALSE(in.string("n"));
  EXPECT_TRUE(in.isNull("n"));
  EXPECT_EQ(in.integer("f"), 2);
}

TEST(JsonInput, FractionalIntegerIsAnError) {
  JsonInput in(R"({"g": 2.5})");
  EXPECT_FALSE(in.integer("g"));
  EXPECT_EQ(*in.error(), "g must be an integer");
}

TEST(JsonInput, RawJsonKeepsAnyValue) {
  JsonInput in(R"({"body": {"a": [1, 2]}})");
  EXPECT_EQ(in.rawJson("body"), R"({"a":[1,2]})");
}

}  // namespace
}  // namespace ws
