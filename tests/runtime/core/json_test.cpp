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

TEST(Json, IsJsonAgreesWithTheFullParser) {
  for (const char* good : {R"({"a":[1,2,{"b":null}]})", "3", R"("text")", "123456789012345678901234567890", "[]"})
    EXPECT_TRUE(isJson(good)) << good;
  for (const char* bad : {"", "{", R"({"a":})", "[1,]", "{'a':1}", "nul", "\"\xff\"", "{} {}"})
    EXPECT_FALSE(isJson(bad)) << bad;
  EXPECT_FALSE(isJson("[[[[1]]]]", {.max_depth = 3}));
  EXPECT_FALSE(isJson("[1]", {.max_bytes = 2}));
}

TEST(Json, PeekReadsAJsonRpcHeadWithoutADocument) {
  auto head = peekJsonRpc(R"({"jsonrpc":"2.0","id":1,"method":"message/send","params":{"message":{"messageId":"m"}}})");
  ASSERT_TRUE(head);
  EXPECT_TRUE(head->has_jsonrpc);
  EXPECT_EQ(head->method, "message/send");
  EXPECT_FALSE(head->message_lacks_id);

  head = peekJsonRpc(R"({"method":7,"params":{"message":{"role":"user"}}})");
  ASSERT_TRUE(head);
  EXPECT_FALSE(head->has_jsonrpc);
  EXPECT_EQ(head->method, "") << "a method that is not a string is not read";
  EXPECT_TRUE(head->message_lacks_id);

  head = peekJsonRpc(R"({"jsonrpc":"2.0","params":{"message":"text"}})");
  ASSERT_TRUE(head);
  EXPECT_FALSE(head->message_lacks_id) << "only a message object can lack an id";

  for (const char* refused : {"[1]", "\"s\"", "{", "{\"a\":1} x"}) EXPECT_FALSE(peekJsonRpc(refused)) << refused;
  EXPECT_FALSE(peekJsonRpc(R"({"a":{"b":{}}})", {.max_depth = 2}));
}

}  // namespace
}  // namespace ws
