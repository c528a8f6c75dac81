#include "core/tar.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>

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

TEST(Tar, ModeIsPermissionBitsOnly) {
  auto tar = makeTar({TarEntry{"a.txt", "x", 0644, false}});
  ASSERT_TRUE(tar);
  // Rewrite the ustar header's mode field with a bit above the permissions, and its checksum.
  std::string bytes = *tar;
  const std::string mode = "0207113";
  std::copy(mode.begin(), mode.end(), bytes.begin() + 100);
  std::fill(bytes.begin() + 148, bytes.begin() + 156, ' ');
  unsigned sum = 0;
  for (int i = 0; i < 512; ++i) sum += static_cast<unsigned char>(bytes[i]);
  char field[8];
  std::snprintf(field, sizeof field, "%06o", sum);
  std::copy(field, field + 7, bytes.begin() + 148);
  auto entries = readTar(bytes);
  ASSERT_TRUE(entries) << entries.error().message;
  ASSERT_EQ(entries->size(), 1u);
  EXPECT_EQ((*entries)[0].mode, 07113u);
}

TEST(Tar, MalformedInputIsAnError) {
  auto r = readTar("definitely not a tar archive, but long enough to look at.......");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::invalid_argument);
}

}  // namespace
}  // namespace ws
