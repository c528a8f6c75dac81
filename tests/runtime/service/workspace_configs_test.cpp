#include "service/workspace_configs.h"

#include <gtest/gtest.h>

#include "support/test_store.h"

namespace ws::test {
namespace {

using nlohmann::json;

class Configs : public ::testing::Test {
 protected:
  TempStore store_;
  WorkspaceConfigs configs_{*store_};
  Workspace w_ = makeWorkspace("configured");
  void SetUp() override { ASSERT_TRUE(store_->insertWorkspace(w_, createdEvent(w_))); }
};

TEST_F(Configs, EmptyUntilPatchedThenTopLevelKeysMerge) {
  EXPECT_EQ(*configs_.get(w_.id), json::object());
  ASSERT_TRUE(configs_.patch(w_.id, R"({"model":"a","tools":{"web":true,"shell":false}})"));
  ASSERT_TRUE(configs_.patch(w_.id, R"({"tools":{"web":false},"temperature":0.5,"note":null})"));
  EXPECT_EQ(*configs_.get(w_.id), json::parse(R"({"model":"a","tools":{"web":false},"temperature":0.5,"note":null})"))
      << "a key is replaced whole, others stay, null is a value";
}

TEST_F(Configs, RefusesWhatIsNotAnObjectAndChangesNothing) {
  ASSERT_TRUE(configs_.patch(w_.id, R"({"kept":1})"));
  for (const char* body : {"", "not json", "[1,2]", "\"text\"", "{\"a\":", "null"}) {
    auto r = configs_.patch(w_.id, body);
    ASSERT_FALSE(r) << body;
    EXPECT_EQ(r.error().code, Errc::invalid_argument) << body;
  }
  std::string deep(40, '[');
  deep = "{\"a\":" + deep + std::string(40, ']') + "}";
  EXPECT_EQ(configs_.patch(w_.id, deep).error().code, Errc::invalid_argument) << "nesting is bounded";
  EXPECT_EQ(*configs_.get(w_.id), json::parse(R"({"kept":1})"));
}

TEST_F(Configs, SizeIsBoundedForThePatchAndForTheDocument) {
  const std::string big(WorkspaceConfigs::kMaxBytes, 'x');
  EXPECT_EQ(configs_.patch(w_.id, json{{"a", big}}.dump()).error().code, Errc::too_large);
  const std::string half(WorkspaceConfigs::kMaxBytes / 2, 'x');
  ASSERT_TRUE(configs_.patch(w_.id, json{{"a", half}}.dump()));
  EXPECT_EQ(configs_.patch(w_.id, json{{"b", half}}.dump()).error().code, Errc::too_large)
      << "the merged document is bounded too";
  ASSERT_TRUE(configs_.patch(w_.id, json{{"a", half}}.dump())) << "replacing a key does not grow it";
  EXPECT_EQ((*configs_.get(w_.id)).size(), 1u);
}

TEST_F(Configs, UnknownWorkspaceIsNotFound) {
  EXPECT_EQ(configs_.patch(newUuid(), R"({"a":1})").error().code, Errc::not_found);
}

}  // namespace
}  // namespace ws::test
