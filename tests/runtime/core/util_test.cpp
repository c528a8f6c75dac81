#include "core/util.h"

#include <gtest/gtest.h>

#include <set>

namespace ws {
namespace {

TEST(Util, UuidsAreCanonicalAndUnique) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    auto id = newUuid();
    ASSERT_TRUE(isUuid(id)) << id;
    EXPECT_EQ(id[14], '4');
    EXPECT_TRUE(seen.insert(id).second);
  }
  EXPECT_FALSE(isUuid("not-a-uuid"));
  EXPECT_FALSE(isUuid("7c1d7d1e-0f7e-4a57-9a0b-3f8a1b2c3d4"));
  EXPECT_FALSE(isUuid("7c1d7d1e-0f7e-4a57-9a0b-3f8a1b2c3d4g"));
  EXPECT_FALSE(isUuid("7c1d7d1e00f7e-4a57-9a0b-3f8a1b2c3d4e"));
}

TEST(Util, QuickUuidsAreCanonicalVersion4AndUnique) {
  std::set<std::string> seen;
  for (int i = 0; i < 10000; ++i) {
    auto id = newQuickUuid();
    ASSERT_TRUE(isUuid(id)) << id;
    EXPECT_EQ(id[14], '4');
    EXPECT_NE(std::string_view("89ab").find(id[19]), std::string_view::npos) << id;
    EXPECT_TRUE(seen.insert(id).second);
  }
}

TEST(Util, HeaderNamesCompareWithoutCase) {
  EXPECT_TRUE(equalsIgnoringCase("Content-Type", "content-type"));
  EXPECT_TRUE(equalsIgnoringCase("", ""));
  EXPECT_FALSE(equalsIgnoringCase("Vary", "Varyx"));
  EXPECT_FALSE(equalsIgnoringCase("X-A", "X_A"));
  EXPECT_FALSE(equalsIgnoringCase("[", "{")) << "only letters fold: '[' + 32 is '{'";
  std::string name = "X-Request-ID\xc3\x84";
  toLowerAscii(name);
  EXPECT_EQ(name, "x-request-id\xc3\x84") << "bytes past ASCII stay as they are";
}

TEST(Util, TokensAreBase64UrlWithoutPadding) {
  auto t = randomToken(32);
  EXPECT_EQ(t.size(), 43u);
  EXPECT_EQ(t.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"), std::string::npos);
  EXPECT_NE(randomToken(32), t);
}

TEST(Util, Sha256KnownVector) {
  EXPECT_EQ(sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Util, ConstantTimeEquals) {
  EXPECT_TRUE(constantTimeEquals("secret", "secret"));
  EXPECT_FALSE(constantTimeEquals("secret", "secreT"));
  EXPECT_FALSE(constantTimeEquals("secret", "secret-longer"));
  EXPECT_FALSE(constantTimeEquals("", "x"));
}

TEST(Util, TimesSortLexicographically) {
  const auto t = Clock::now();
  const auto a = formatTime(t), b = formatTime(t + std::chrono::milliseconds(5));
  EXPECT_EQ(a.size(), 24u);
  EXPECT_EQ(a.back(), 'Z');
  EXPECT_LT(a, b);
  EXPECT_EQ(formatTime(Clock::time_point{}), "1970-01-01T00:00:00.000Z");
  // A leap day, the last millisecond of a year, and a time before the epoch.
  EXPECT_EQ(formatTime(Clock::time_point{std::chrono::milliseconds(1709210096789)}), "2024-02-29T12:34:56.789Z");
  EXPECT_EQ(formatTime(Clock::time_point{std::chrono::milliseconds(1767225599999)}), "2025-12-31T23:59:59.999Z");
  EXPECT_EQ(formatTime(Clock::time_point{std::chrono::milliseconds(-1)}), "1969-12-31T23:59:59.999Z");
}

TEST(Util, UnixMillisReadsFormattedTimes) {
  EXPECT_EQ(unixMillis("1970-01-01T00:00:00.000Z"), 0);
  EXPECT_EQ(unixMillis("2026-01-02T03:04:05.678Z"), 1767323045678);
  const auto now = Clock::now();
  EXPECT_EQ(unixMillis(formatTime(now)),
            std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count());
  for (const char* bad : {"", "yesterday", "2026-01-02T03:04:05Z", "2026-01-02T03:04:05.678Zjunk"})
    EXPECT_FALSE(unixMillis(bad)) << bad;
}

}  // namespace
TEST(Utf8, WellFormedOnly) {
  EXPECT_TRUE(isValidUtf8(""));
  EXPECT_TRUE(isValidUtf8("plain ascii"));
  EXPECT_TRUE(isValidUtf8("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"));
  EXPECT_FALSE(isValidUtf8("caf\xe9"));              // Latin-1
  EXPECT_FALSE(isValidUtf8("\xc0\xaf"));             // overlong '/'
  EXPECT_FALSE(isValidUtf8("\xed\xa0\x80"));         // a surrogate
  EXPECT_FALSE(isValidUtf8("\xf4\x90\x80\x80"));     // past U+10FFFF
  EXPECT_FALSE(isValidUtf8("\xe2\x82"));             // cut short
  EXPECT_FALSE(isValidUtf8("\x89PNG\r\n\x1a\n"));    // a binary file
}

}  // namespace ws
