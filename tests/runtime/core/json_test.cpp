#include "core/json.h"

#include <gtest/gtest.h>

namespace ws {
namespace {

TEST(Json, DepthIsCountedOutsideStrings) {
  EXPECT_TRUE(jsonDepthWithin(R"({"a":[1,{"b":[]}]})", 4));
  EXPECT_FALSE(jsonDepthWithin(R"({"a":[1,{"b":[]}]})", 3));
  EXPECT_TRUE(jsonDepthWithin(R"({"a":"[[[[[[[[[["})", 1)) << "brackets inside strings do not nest";
  EXPECT_TRUE(jsonDepthWithin(R"({"a":"\"[[[[[["})", 1)) << "an escaped quote does not end the string";
  EXPECT_TRUE(jsonDepthWithin(R"(["\\",[]])", 2)) << "an escaped backslash does";
  EXPECT_TRUE(jsonDepthWithin("]]]]", 0)) << "malformed input is safe";
}

TEST(Json, ParseRefusesDeepLargeAndMalformedDocuments) {
  EXPECT_TRUE(parseJson(std::string(64, '[') + std::string(64, ']')));
  const auto deep = parseJson(std::string(200000, '[') + std::string(200000, ']'));
  ASSERT_FALSE(deep);
  EXPECT_EQ(deep.error().code, Errc::invalid_argument);
  const auto big = parseJson(R"(["x"])", JsonLimits{64, 4});
  ASSERT_FALSE(big);
  EXPECT_EQ(big.error().code, Errc::too_large);
  EXPECT_EQ(parseJson("{oops").error().message, "invalid JSON");
  EXPECT_EQ((*parseJson(R"({"a":[1,2]})"))["a"][1], 2);
  EXPECT_EQ(parseJsonOr("nope", nlohmann::json("fallback")), "fallback");
}

}  // namespace
}  // namespace ws
