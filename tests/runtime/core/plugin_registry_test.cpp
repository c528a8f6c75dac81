#include "core/plugin_registry.h"

#include <gtest/gtest.h>

#include <fstream>

namespace ws {
namespace {

namespace fs = std::filesystem;

class Registry : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("plugin-registry-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    write("good/plugin.yaml", "name: good\nversion: 2.0.0\nskills: [a, b]\ntags: [x]\n");
    write("good/skills/a/SKILL.md", "# a\n");
    write("misnamed/plugin.yaml", "name: other\n");
    write("bare/README.md", "no manifest\n");
    write("broken/plugin.yaml", "name: [unclosed\n");
  }
  void TearDown() override { fs::remove_all(dir_); }
  void write(const std::string& rel, const std::string& content) {
    fs::create_directories((dir_ / rel).parent_path());
    std::ofstream(dir_ / rel) << content;
  }
  fs::path dir_;
};

TEST(PluginNames, AreSafeDirectoryNames) {
  EXPECT_TRUE(validPluginName("echo-skill"));
  EXPECT_TRUE(validPluginName("v1.2_x"));
  for (const char* bad : {"", "..", "../etc", "a/b", "Upper", "-dash", "a..b", "x y"}) EXPECT_FALSE(validPluginName(bad)) << bad;
}

TEST_F(Registry, LoadsManifestAndFiles) {
  auto p = PluginRegistry(dir_).load("good");
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(p->manifest["version"], "2.0.0");
  EXPECT_EQ(p->manifest["skills"], nlohmann::json({"a", "b"}));
  ASSERT_EQ(p->files.size(), 2u);
  EXPECT_EQ(p->files[0].first, "plugin.yaml");
  EXPECT_EQ(p->files[1].first, "skills/a/SKILL.md");
}

TEST_F(Registry, RefusesWhatIsNotAPlugin) {
  PluginRegistry r(dir_);
  EXPECT_EQ(r.load("absent").error().code, Errc::not_found);
  EXPECT_EQ(r.load("misnamed").error().code, Errc::invalid_argument);
  EXPECT_EQ(r.load("bare").error().code, Errc::invalid_argument);
  EXPECT_EQ(r.load("broken").error().code, Errc::invalid_argument);
  EXPECT_EQ(r.load("../etc").error().code, Errc::invalid_argument);
  write("huge/plugin.yaml", "name: huge\n");
  write("huge/blob.bin", std::string(PluginRegistry::kMaxPluginBytes, 'x'));
  EXPECT_EQ(r.load("huge").error().code, Errc::too_large);
  fs::create_symlink("/etc/passwd", dir_ / "good" / "leak");
  auto p = r.load("good");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->files.size(), 2u) << "symlinks are not followed";
}

TEST_F(Registry, ListsValidPluginsByName) {
  const auto all = PluginRegistry(dir_).list();
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0]["name"], "good");
  EXPECT_TRUE(PluginRegistry(dir_ / "missing").list().empty());
}

}  // namespace
}  // namespace ws
