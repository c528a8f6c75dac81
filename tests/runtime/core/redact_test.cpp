#include "core/redact.h"

#include <gtest/gtest.h>

namespace ws {
namespace {

TEST(Redact, ReplacesCredentialsAndKeepsTheRest) {
  EXPECT_EQ(redactSecrets("set OPENAI_API_KEY=sk-abc123 then go"), "set OPENAI_API_KEY=[REDACTED:ENV_SECRET] then go");
  EXPECT_EQ(redactSecrets("github_token=ghp_x"), "github_token=[REDACTED:ENV_SECRET]");
  EXPECT_EQ(redactSecrets("APP_SECRET=s3cr3t"), "APP_SECRET=[REDACTED:ENV_SECRET]");
  EXPECT_EQ(redactSecrets("Authorization: Bearer abc.def"), "Authorization: Bearer [REDACTED:BEARER]");
  EXPECT_EQ(redactSecrets("key sk-proj-ABCDEFGHIJKLMNOP1234 here"), "key [REDACTED:SK_KEY] here");
  EXPECT_EQ(redactSecrets("use ctx7_0123abcd"), "use [REDACTED:CTX7_KEY]");
  EXPECT_EQ(redactSecrets("blob " + std::string(40, 'A') + "=="), "blob [REDACTED:BASE64]");
  EXPECT_EQ(redactSecrets("short sk-abc and ordinary words stay"), "short sk-abc and ordinary words stay");
  EXPECT_EQ(redactSecrets("MAX_TOKENS is a setting, not MAX_TOKENS= nothing"), "MAX_TOKENS is a setting, not MAX_TOKENS= nothing");
}

// Hostile input: a megabyte of one character class, and of almost-matching credentials, both
// of which made a backtracking matcher recurse per character.
TEST(Redact, LinearOnAMegabyte) {
  const std::string run(1 << 20, 'A');
  EXPECT_EQ(redactSecrets(run), "[REDACTED:BASE64]");
  std::string near;
  while (near.size() < (1u << 20)) near += "X_TOKEN sk-short ctx7 ";
  EXPECT_EQ(redactSecrets(near), near);
}

}  // namespace
}  // namespace ws
