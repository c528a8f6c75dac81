#include "service/a2a.h"

#include <gtest/gtest.h>

namespace ws {
namespace {

TEST(OutgoingRpc, NormalJsonRpcGoesOutByteForByte) {
  const std::string body = R"({ "jsonrpc": "2.0", "id": 1, "method": "message/send",
    "params": {"message": {"role": "user", "messageId": "m1", "parts": []}} })";
  auto rpc = OutgoingRpc::asIs(body);
  ASSERT_TRUE(rpc);
  EXPECT_EQ(rpc->body, body) << "spacing and member order are the caller's";
  EXPECT_EQ(rpc->method, "message/send");
}

TEST(OutgoingRpc, WhatNeedsNormalizingIsNotForwardedAsIs) {
  EXPECT_FALSE(OutgoingRpc::asIs(R"({"method":"message/send","params":{}})")) << "no jsonrpc: wrapped first";
  EXPECT_FALSE(OutgoingRpc::asIs(R"({"jsonrpc":"2.0","method":"message/send","params":{"message":{"role":"user"}}})"))
      << "a message without messageId gets one";
  EXPECT_FALSE(OutgoingRpc::asIs("[1]"));
  EXPECT_FALSE(OutgoingRpc::asIs("{bad json"));
}

TEST(OutgoingRpc, OfSerialisesAndReadsTheMethod) {
  auto rpc = OutgoingRpc::of(A2aDelivery::normalize({{"method", "tasks/get"}, {"params", {{"id", "t"}}}}));
  const auto sent = nlohmann::json::parse(rpc.body);
  EXPECT_EQ(sent["jsonrpc"].get<std::string>(), "2.0");
  EXPECT_EQ(rpc.method, "tasks/get");
  EXPECT_TRUE(OutgoingRpc::asIs(rpc.body)) << "a normalized request needs nothing more";
}

}  // namespace
}  // namespace ws
