// The store's newer areas: org tokens, config documents and the canvas viewport.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/store_types.h"

namespace ws::test {
namespace {

template <class T>
class StoreCanvas : public ::testing::Test {
 protected:
  T store_;
};
TYPED_TEST_SUITE(StoreCanvas, StoreTypes, StoreTypeNames);

TYPED_TEST(StoreCanvas, ViewportIsOneRowThatSurvivesARestart) {
  auto& store = this->store_;
  EXPECT_FALSE(*store->viewport());
  ASSERT_TRUE(store->saveViewport(Viewport{1.5, -2, 0.75, nowTime()}));
  ASSERT_TRUE(store->saveViewport(Viewport{10, 20, 2, nowTime()}));
  store.reopen();
  auto v = *store->viewport();
  ASSERT_TRUE(v);
  EXPECT_EQ(v->x, 10);
  EXPECT_EQ(v->y, 20);
  EXPECT_EQ(v->zoom, 2);
}

TYPED_TEST(StoreCanvas, ConfigDocumentsGoWithTheirWorkspace) {
  auto& store = this->store_;
  auto w = makeWorkspace("configured");
  ASSERT_TRUE(store->insertWorkspace(w, createdEvent(w)));
  EXPECT_FALSE(*store->workspaceConfig(w.id));
  ASSERT_TRUE(store->mergeWorkspaceConfig(w.id, R"({"a":1})", 1024));
  ASSERT_TRUE(store->mergeWorkspaceConfig(w.id, R"({"b":2})", 1024));
  EXPECT_EQ(nlohmann::json::parse(**store->workspaceConfig(w.id)), nlohmann::json::parse(R"({"a":1,"b":2})"));
  EXPECT_EQ(store->mergeWorkspaceConfig(w.id, "[]", 1024).error().code, Errc::invalid_argument);
  EXPECT_EQ(store->mergeWorkspaceConfig(newUuid(), R"({"a":1})", 1024).error().code, Errc::not_found);
  ASSERT_TRUE(store->purge({w.id}));
  EXPECT_FALSE(*store->workspaceConfig(w.id)) << "purged with the workspace";
}

TYPED_TEST(StoreCanvas, OrgTokensByHashAndRevocation) {
  auto& store = this->store_;
  OrgTokenRecord t{newUuid(), "hash-1", "prefix01", "ci", std::nullopt, "admin-token", nowTime(), std::nullopt};
  ASSERT_TRUE(store->insertOrgToken(t));
  EXPECT_FALSE(store->insertOrgToken(t)) << "ids and hashes are unique";
  auto found = *store->findLiveOrgToken("hash-1");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->name, "ci");
  EXPECT_FALSE(found->org_id);
  ASSERT_TRUE(store->touchOrgToken(t.id));
  EXPECT_TRUE((*store->findLiveOrgToken("hash-1"))->last_used_at);
  EXPECT_TRUE(*store->revokeOrgToken(t.id));
  EXPECT_FALSE(*store->findLiveOrgToken("hash-1"));
  EXPECT_TRUE(store->liveOrgTokens(10)->empty());
  EXPECT_FALSE(*store->revokeOrgToken(t.id));
}

}  // namespace
}  // namespace ws::test
