#include "service/secret_box.h"

#include <gtest/gtest.h>

namespace ws {
namespace {

const std::string kRawKey(32, 'k');
const std::string kBase64Key = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";  // "0123456789abcdef0123456789abcdef"

TEST(SecretBox, SealsWithAesGcmAndOpensAgain) {
  for (const auto& key : {kRawKey, kBase64Key}) {
    SecretBox box(key);
    ASSERT_TRUE(box.encrypts()) << key;
    auto sealed = box.seal("sk-very-secret");
    ASSERT_TRUE(sealed);
    EXPECT_EQ(sealed->encryption_version, 1);
    EXPECT_EQ(sealed->bytes.size(), 12u + 14u + 16u) << "nonce, ciphertext, tag";
    EXPECT_EQ(sealed->bytes.find("sk-very-secret"), std::string::npos);
    EXPECT_EQ(*box.open(*sealed), "sk-very-secret");
  }
}

TEST(SecretBox, EveryValueGetsItsOwnNonce) {
  SecretBox box(kRawKey);
  EXPECT_NE(box.seal("same")->bytes, box.seal("same")->bytes);
}

TEST(SecretBox, TamperingOrAnotherKeyFailsToOpen) {
  SecretBox box(kRawKey);
  auto sealed = *box.seal("value");
  EXPECT_FALSE(SecretBox(kBase64Key).open(sealed));
  sealed.bytes[13] ^= 1;
  EXPECT_FALSE(box.open(sealed));
  EXPECT_FALSE(box.open({"short", 1}));
  EXPECT_FALSE(box.open({"x", 7})) << "unknown version";
}

TEST(SecretBox, WithoutAKeyValuesArePlainAndCiphertextCannotBeOpened) {
  for (const char* key : {"", "too-short", "bm90IDMyIGJ5dGVz"}) {
    SecretBox box(key);
    EXPECT_FALSE(box.encrypts()) << key;
    auto sealed = box.seal("plain");
    EXPECT_EQ(sealed->encryption_version, 0);
    EXPECT_EQ(*box.open(*sealed), "plain");
  }
  auto sealed = *SecretBox(kRawKey).seal("value");
  EXPECT_FALSE(SecretBox("").open(sealed)) << "version 1 needs the key";
}

}  // namespace
}  // namespace ws
