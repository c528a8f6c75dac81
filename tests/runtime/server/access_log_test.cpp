#include "server/access_log.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/util.h"

namespace ws {
namespace {

using namespace std::chrono_literals;

Request routed() {
  Request r;
  r.method = "GET";
  (void)parseRequestTarget("/workspaces/abc/files/a%0Ab?token=secret-value", r);
  r.route = "/workspaces/:id/files/*path";
  r.request_id = "req-1";
  r.remote_address = "127.0.0.1";
  r.headers["authorization"] = "Bearer secret-token";
  return r;
}

TEST(AccessLog, KeepsASaneRequestId) {
  EXPECT_EQ(requestIdFor(std::string("abc-123_x.y:z")), "abc-123_x.y:z");
  EXPECT_EQ(requestIdFor(std::string(128, 'a')), std::string(128, 'a'));
}

TEST(AccessLog, ReplacesAnInsaneRequestId) {
  for (const std::string& bad : {std::string(), std::string(129, 'a'), std::string("has space"), std::string("new\nline"),
                                std::string("quote\""), std::string("back\\slash"), std::string("caf\xc3\xa9")}) {
    const auto id = requestIdFor(bad);
    EXPECT_NE(id, bad);
    EXPECT_TRUE(isUuid(id)) << id;
  }
  EXPECT_TRUE(isUuid(requestIdFor(std::nullopt)));
}

TEST(AccessLog, TextLineNamesTheRouteAndNoSecret) {
  const auto line = accessLine(routed(), 200, 1500us);
  EXPECT_EQ(line, "GET /workspaces/:id/files/*path 200 1.50ms request_id=req-1 path=/workspaces/abc/files/a?b remote=127.0.0.1");
  EXPECT_EQ(line.find("secret"), std::string::npos);
}

TEST(AccessLog, JsonLineHasTheFields) {
  const auto line = nlohmann::json::parse(accessJson(routed(), 404, 2ms));
  EXPECT_EQ(line["request_id"], "req-1");
  EXPECT_EQ(line["method"], "GET");
  EXPECT_EQ(line["route"], "/workspaces/:id/files/*path");
  EXPECT_EQ(line["path"], "/workspaces/abc/files/a?b");
  EXPECT_EQ(line["status"], 404);
  EXPECT_DOUBLE_EQ(line["duration_ms"].get<double>(), 2.0);
  EXPECT_EQ(line.dump().find("secret"), std::string::npos);
  Request unmatched;
  unmatched.method = "GET";
  EXPECT_TRUE(nlohmann::json::parse(accessJson(unmatched, 404, 0ms))["route"].is_null());
}

}  // namespace
}  // namespace ws
