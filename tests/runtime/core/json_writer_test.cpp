#include "core/json_writer.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace ws {
namespace {

TEST(JsonWriter, NestedContainersAndScalars) {
  std::string s;
  JsonWriter w(s);
  w.beginObject();
  w.key("a").value(1);
  w.key("b").beginArray().value("x").null().value(true).value(2.5).value(3.0).endArray();
  w.key("c").raw(R"({"k":[1]})");
  w.key("d").value(std::optional<std::string>());
  w.endObject();
  EXPECT_EQ(s, R"({"a":1,"b":["x",null,true,2.5,3.0],"c":{"k":[1]},"d":null})");
}

TEST(JsonWriter, EscapingRoundTripsThroughAParser) {
  const std::string nasty = std::string("quote\" back\\ nl\n tab\t bell\x07 nul") + '\0' + "é ✓";
  std::string s;
  JsonWriter(s).value(nasty);
  EXPECT_EQ(nlohmann::json::parse(s).get<std::string>(), nasty);
}

}  // namespace
}  // namespace ws
