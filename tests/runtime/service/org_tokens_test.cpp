#include "service/org_tokens.h"

#include <gtest/gtest.h>

#include "support/test_store.h"

namespace ws::test {
namespace {

TEST(OrgTokens, MintedOnceStoredAsHashListedNewestFirst) {
  TempStore store;
  OrgTokens tokens(*store);
  auto first = tokens.issue("first", std::nullopt, "admin-token");
  ASSERT_TRUE(first);
  auto second = tokens.issue(std::nullopt, "org-1", "org-token:abcdefgh");
  ASSERT_TRUE(second);
  EXPECT_NE(first->plaintext, second->plaintext);
  EXPECT_EQ(first->record.prefix, first->plaintext.substr(0, 8));
  EXPECT_EQ(first->record.hash_hex, sha256Hex(first->plaintext));

  auto listed = *tokens.list();
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[0].id, second->record.id) << "newest first";
  EXPECT_EQ(listed[0].org_id, "org-1");
  EXPECT_EQ(listed[0].created_by, "org-token:abcdefgh");
  EXPECT_FALSE(listed[0].name);
  EXPECT_EQ(listed[1].name, "first");
  for (const auto& t : listed) EXPECT_EQ(t.hash_hex.find(first->plaintext), std::string::npos);
}

TEST(OrgTokens, ValidateNotesUseAndRevocationIsImmediate) {
  TempStore store;
  OrgTokens tokens(*store);
  auto issued = *tokens.issue("ci", std::nullopt, "admin-token");
  EXPECT_FALSE((*tokens.list())[0].last_used_at);
  auto found = tokens.validate(issued.plaintext);
  ASSERT_TRUE(found && *found);
  EXPECT_EQ((*found)->id, issued.record.id);
  EXPECT_TRUE((*tokens.list())[0].last_used_at) << "last_used_at set on first use";

  EXPECT_FALSE(tokens.validate(issued.plaintext + "x")->has_value());
  EXPECT_FALSE(tokens.validate("")->has_value());
  EXPECT_FALSE(tokens.validate(issued.record.hash_hex)->has_value()) << "the stored hash is no credential";

  EXPECT_TRUE(*tokens.revoke(issued.record.id));
  EXPECT_FALSE(tokens.validate(issued.plaintext)->has_value());
  EXPECT_FALSE(*tokens.revoke(issued.record.id)) << "already revoked";
  EXPECT_FALSE(*tokens.revoke(newUuid()));
  EXPECT_TRUE(tokens.list()->empty());
}

TEST(OrgTokens, LabelsAreBounded) {
  TempStore store;
  OrgTokens tokens(*store);
  EXPECT_TRUE(tokens.issue(std::string(100, 'n'), std::nullopt, "admin-token"));
  auto long_name = tokens.issue(std::string(101, 'n'), std::nullopt, "admin-token");
  ASSERT_FALSE(long_name);
  EXPECT_EQ(long_name.error().code, Errc::invalid_argument);
  EXPECT_EQ(long_name.error().message, "name too long (max 100 chars)");
  EXPECT_FALSE(tokens.issue("line\nbreak", std::nullopt, "admin-token"));
  EXPECT_FALSE(tokens.issue(std::nullopt, std::string(257, 'o'), "admin-token"));
  auto empty = tokens.issue("", "", "admin-token");
  ASSERT_TRUE(empty);
  EXPECT_FALSE(empty->record.name) << "empty reads as no name";
  EXPECT_FALSE(empty->record.org_id);
  EXPECT_EQ(tokens.list()->size(), 2u) << "refused ones stored nothing";
}

}  // namespace
}  // namespace ws::test
