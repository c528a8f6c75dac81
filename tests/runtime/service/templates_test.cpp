// TemplateLibrary and the template helpers: ids, size limits, links, the workspace's identity
// in config.yaml, imports that appear whole, and the shared context.

#include "service/templates.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "core/util.h"

namespace ws {
namespace {

namespace fs = std::filesystem;

class TemplateLibraryTest : public ::testing::Test {
 protected:
  void SetUp() override { fs::create_directories(root_); }
  void TearDown() override { fs::remove_all(root_); }
  void write(const std::string& rel, const std::string& content) {
    const fs::path p = root_ / rel;
    fs::create_directories(p.parent_path());
    std::ofstream(p) << content;
  }
  TemplateLibrary library() const { return TemplateLibrary(root_.string()); }
  const fs::path root_ = fs::temp_directory_path() / ("ws-templates-" + newUuid());
};

TEST(TemplateId, LowerHyphenatedAndConfined) {
  EXPECT_EQ(templateIdFor("My Bot"), "my-bot");
  EXPECT_EQ(templateIdFor("../../etc"), "etc");
  EXPECT_EQ(templateIdFor("a_b-C 9"), "a_b-c-9");
  EXPECT_EQ(templateIdFor("/./"), "unnamed");
}

TEST_F(TemplateLibraryTest, LoadsFilesWithoutLinksOrToolDirectories) {
  write("t/config.yaml", "name: T\nruntime: hermes\nmodel: m\n");
  write("t/prompts/a.md", "A");
  write("t/.git/HEAD", "ref");
  write("t/logo.png", "\x89PNG\r\n\x1a\n");
  write("secret.txt", "outside");
  fs::create_symlink(root_ / "secret.txt", root_ / "t/link.txt");
  auto t = library().load("t");
  ASSERT_TRUE(t) << t.error().message;
  EXPECT_EQ(t->summary.runtime, "hermes");
  EXPECT_EQ(t->summary.model, "m");
  std::vector<std::string> names;
  for (const auto& [path, content] : t->files) names.push_back(path);
  EXPECT_EQ(names, (std::vector<std::string>{"config.yaml", "prompts/a.md"}));
}

TEST_F(TemplateLibraryTest, RefusesBadIdsMissingAndOversizedTemplates) {
  write("big/config.yaml", "name: big\n");
  for (int i = 0; i < 200; ++i) write("big/f" + std::to_string(i), "x");
  write("huge/config.yaml", "name: huge\n");
  write("huge/blob", std::string(5u << 20, 'x'));
  EXPECT_EQ(library().load("../t").error().code, Errc::invalid_argument);
  EXPECT_EQ(library().load("").error().code, Errc::invalid_argument);
  EXPECT_EQ(library().load("nothing").error().code, Errc::not_found);
  EXPECT_EQ(library().load("big").error().code, Errc::invalid_argument) << "201 files";
  EXPECT_EQ(library().load("huge").error().code, Errc::invalid_argument) << "over 4 MiB";
}

TEST_F(TemplateLibraryTest, ConfigCarriesTheWorkspacesIdentity) {
  write("t/config.yaml", "name: Template\ndescription: from the template\ntier: 1\nruntime: hermes\nprompt_files: [a.md]\n");
  auto t = library().load("t");
  ASSERT_TRUE(t);
  Workspace w;
  w.name = "agent: one";
  w.role = "reviewer";
  w.tier = 3;
  w.runtime = "langgraph";
  w.model = "opus";
  auto config = configForWorkspace(*t, w);
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_NE(config->find("name: \"agent: one\""), std::string::npos) << *config;
  EXPECT_NE(config->find("description: reviewer"), std::string::npos);
  EXPECT_NE(config->find("tier: 3"), std::string::npos);
  EXPECT_NE(config->find("runtime: langgraph"), std::string::npos);
  EXPECT_NE(config->find("model: opus"), std::string::npos);
  EXPECT_NE(config->find("prompt_files"), std::string::npos) << "the template's own settings stay";
  EXPECT_EQ(config->find("Template"), std::string::npos);
}

TEST_F(TemplateLibraryTest, ConfigRefusesAliasBombsAndNonMappings) {
  Template bomb;
  bomb.summary.id = "bomb";
  std::string yaml = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
  for (char c = 'b'; c <= 'g'; ++c)
    yaml += std::string(1, c) + ": &" + c + " [" + [&] {
      std::string refs;
      for (int i = 0; i < 10; ++i) refs += std::string(i ? ", " : "") + "*" + static_cast<char>(c - 1);
      return refs;
    }() + "]\n";
  bomb.files["config.yaml"] = yaml;
  EXPECT_EQ(configForWorkspace(bomb, Workspace{}).error().code, Errc::invalid_argument);
  Template list;
  list.files["config.yaml"] = "- a\n- b\n";
  EXPECT_EQ(configForWorkspace(list, Workspace{}).error().code, Errc::invalid_argument);
}

TEST_F(TemplateLibraryTest, ImportAppearsWholeOnce) {
  auto id = library().import("Helper Bot", {{"guide.md", "g"}, {"skills/s1/SKILL.md", "s"}});
  ASSERT_TRUE(id) << id.error().message;
  EXPECT_EQ(*id, "helper-bot");
  auto t = library().load("helper-bot");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->summary.name, "Helper Bot");
  EXPECT_EQ(t->summary.skills, std::vector<std::string>{"s1"});
  EXPECT_EQ(t->files.at("guide.md"), "g");
  EXPECT_EQ(library().import("helper bot", {}).error().code, Errc::conflict);
  EXPECT_EQ(library().import("other", {{"../x", "x"}}).error().code, Errc::invalid_argument);
  EXPECT_FALSE(fs::exists(root_ / "other"));
  ASSERT_EQ(library().list().size(), 1u);
}

TEST(SharedContext, ReadsListedSafePathsInOrder) {
  const auto files = sharedContext("shared_context: [b.md, ../x, /etc/passwd, a.md, gone.md]\n",
                                   [](const std::string& p) -> Result<std::string> {
                                     if (p == "gone.md") return makeError(Errc::not_found, p);
                                     return "content of " + p;
                                   });
  ASSERT_EQ(files.size(), 2u);
  EXPECT_EQ(files[0].path, "b.md");
  EXPECT_EQ(files[1].content, "content of a.md");
  const auto once = sharedContext("shared_context: [a.md, a.md, big, b.md]\n", [](const std::string& p) -> Result<std::string> {
    return p == "big" ? std::string(5u << 20, 'x') : "small";
  });
  ASSERT_EQ(once.size(), 1u) << "each path once, and nothing past 4 MiB";
  EXPECT_EQ(once[0].path, "a.md");
  EXPECT_TRUE(sharedContext("[unclosed", [](const std::string&) -> Result<std::string> { return std::string(); }).empty());
}

}  // namespace
}  // namespace ws
