#include "core/logging.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <spdlog/sinks/ostream_sink.h>

#include <sstream>

namespace ws {
namespace {

using nlohmann::json;

// One line written by a logger named `name` through the JSON formatter.
json jsonLine(const std::string& name, const std::string& message, spdlog::level::level_enum level = spdlog::level::info) {
  std::ostringstream out;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out);
  spdlog::logger logger(name, sink);
  logger.set_formatter(makeJsonFormatter());
  logger.log(level, message);
  const std::string text = out.str();
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 1) << text;
  return json::parse(text);
}

TEST(Logging, FormatNames) {
  EXPECT_EQ(*parseLogFormat("text"), LogFormat::text);
  EXPECT_EQ(*parseLogFormat("json"), LogFormat::json);
  for (const char* bad : {"", "JSON", "logfmt", "json "}) EXPECT_FALSE(parseLogFormat(bad)) << bad;
}

TEST(Logging, JsonLinesQuoteTheMessage) {
  const auto line = jsonLine("workspace-server", "workspace \"a\"\nwent offline {x}", spdlog::level::warn);
  EXPECT_EQ(line["level"], "warning");
  EXPECT_EQ(line["msg"], "workspace \"a\"\nwent offline {x}");
  EXPECT_TRUE(line["time"].get<std::string>().ends_with("Z"));
}

TEST(Logging, JsonLinesSurviveInvalidUtf8) {
  const auto line = jsonLine("workspace-server", std::string("bad \xff byte"));
  EXPECT_TRUE(line["msg"].is_string());
}

TEST(Logging, AccessLinesCarryTheirFields) {
  const auto line = jsonLine("access", R"({"request_id":"r-1","status":200})");
  EXPECT_EQ(line["logger"], "access");
  EXPECT_EQ(line["request_id"], "r-1");
  EXPECT_EQ(line["status"], 200);
  EXPECT_FALSE(line.contains("msg"));
  // Another logger's text that looks like an object stays a message.
  EXPECT_EQ(jsonLine("other", R"({"status":200})")["msg"], R"({"status":200})");
}

}  // namespace
}  // namespace ws
