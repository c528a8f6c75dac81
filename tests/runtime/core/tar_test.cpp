#include "core/tar.h"

#include <gtest/gtest.h>

namespace ws {
namespace {

TEST(Tar, RoundTrip) {
  auto tar = makeTar(filesToTarEntries({{"config.yaml", "name: x\n"}, {"plugins/a/plugin.yaml", "p"}, {".auth_token", "t"}}));
  ASSERT_TRUE(tar);
  auto entries = readTar(*tar);
  ASSERT_TRUE(entries);
  std::map<std::string, TarEntry> by_path;
  for (const auto& e : *entries) by_path[e.path] = e;
  ASSERT_EQ(by_path.size(), 5u);  // 3 files + plugins/ + plugins/a/
  EXPECT_TRUE(by_path["plugins"].directory);
  EXPECT_EQ(by_path["config.yaml"].content, "name: x\n");
  EXPECT_EQ(by_path[".auth_token"].mode, 0600u) << "credentials are private";
  EXPECT_EQ(by_path["config.yaml"].mode, 0644u);
}

TEST(Tar, UnwritablePathIsAnError) {
  // A path that is not UTF-8 cannot go into a pax header: the write fails part-way, and the
  // half-written archive is released safely (under ASan this was a stack-use-after-scope).
  auto r = makeTar({TarEntry{"ok.txt", "first", 0644, false}, TarEntry{"d/\xf8.txt", "x", 0644, false}});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::invalid_argument);
}

TEST(Tar, MalformedInputIsAnError) {
  auto r = readTar("definitely not a tar archive, but long enough to look at.......");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::invalid_argument);
}

}  // namespace
}  // namespace ws
