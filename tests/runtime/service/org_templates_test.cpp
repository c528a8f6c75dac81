#include "service/org_templates.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace ws {
namespace {

namespace fs = std::filesystem;

TEST(OrgTemplates, PlansParentsBeforeChildrenWithDefaults) {
  auto plan = planOrgFromYaml(R"(
name: acme
defaults: {runtime: crewai, tier: 3}
required_env: [OPENAI_API_KEY]
workspaces:
  - name: lead
    children:
      - name: writer
        tier: 1
        required_env: [{any_of: [A_KEY, B_KEY]}]
  - name: solo
)");
  ASSERT_TRUE(plan) << plan.error().message;
  EXPECT_EQ(plan->name, "acme");
  ASSERT_EQ(plan->workspaces.size(), 3u);
  const auto& lead = plan->workspaces[0];
  const auto& writer = plan->workspaces[1];
  EXPECT_EQ(lead.name, "lead");
  EXPECT_EQ(lead.runtime, "crewai");
  EXPECT_EQ(lead.tier, 3);
  EXPECT_FALSE(lead.parent_id);
  EXPECT_EQ(writer.parent_id, lead.id);
  EXPECT_EQ(writer.tier, 1);
  EXPECT_FALSE(plan->workspaces[2].parent_id);
  EXPECT_NE(lead.id, writer.id);
  EXPECT_EQ(plan->required_env, (std::vector<EnvRequirement>{{"OPENAI_API_KEY"}, {"A_KEY", "B_KEY"}}));
}

TEST(OrgTemplates, JsonIsPlannedLikeYaml) {
  auto plan = planOrgFromJson(nlohmann::json{{"workspaces", {{{"name", "one"}}}}});
  ASSERT_TRUE(plan) << plan.error().message;
  EXPECT_EQ(plan->name, "org");
  ASSERT_EQ(plan->workspaces.size(), 1u);
  EXPECT_EQ(plan->workspaces[0].runtime, "langgraph");
  EXPECT_EQ(plan->workspaces[0].tier, 2);
}

TEST(OrgTemplates, MalformedTemplatesAreInvalidArguments) {
  for (const char* bad : {
           "[1, 2]",                                                        // not a mapping
           "workspaces: []",                                                // nothing to create
           "workspaces: [{role: no-name}]",                                 // a workspace needs a name
           "workspaces: [{name: a, tier: 9}]",                              // tier out of range
           "workspaces: [{name: 'a{b}'}]",                                  // template metacharacters
           "workspaces: [{name: a, tier: high}]",                           // not an integer
           "required_env: [lower_case]\nworkspaces: [{name: a}]",           // not a variable name
           "workspaces: [{name: a, config: !include other.yaml}]",          // no includes in a request
           "workspaces: [{name: a",                                         // not YAML
       }) {
    auto plan = planOrgFromYaml(bad);
    ASSERT_FALSE(plan) << bad;
    EXPECT_EQ(plan.error().code, Errc::invalid_argument) << bad;
  }
}

TEST(OrgTemplates, AliasBombsAreRefusedWithinTheNodeBudget) {
  std::string yaml = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
  for (char c = 'b'; c <= 'j'; ++c)
    yaml += std::string(1, c) + ": &" + c + " [*" + char(c - 1) + ", *" + char(c - 1) + ", *" + char(c - 1) + ", *" +
            char(c - 1) + ", *" + char(c - 1) + ", *" + char(c - 1) + ", *" + char(c - 1) + ", *" + char(c - 1) +
            ", *" + char(c - 1) + ", *" + char(c - 1) + "]\n";
  yaml += "workspaces: [{name: a}]\n";
  auto plan = planOrgFromYaml(yaml);
  ASSERT_FALSE(plan);
  EXPECT_NE(plan.error().message.find("nodes"), std::string::npos) << plan.error().message;
}

class OrgTemplateDirectory : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("ws-org-templates-" + std::to_string(::getpid()));
    fs::create_directories(root_ / "team");
    write("team/org.yaml", "name: team\nworkspaces: !include members.yaml\n");
    write("team/members.yaml", "- name: a\n- name: b\n");
    write("secret.yaml", "- name: outside\n");
  }
  void TearDown() override { fs::remove_all(root_); }
  void write(const std::string& rel, const std::string& text) { std::ofstream(root_ / rel) << text; }

  fs::path root_;
};

TEST_F(OrgTemplateDirectory, IncludesResolveInsideTheTemplate) {
  auto plan = planOrgFromDirectory(root_.string(), "team");
  ASSERT_TRUE(plan) << plan.error().message;
  EXPECT_EQ(plan->name, "team");
  EXPECT_EQ(plan->workspaces.size(), 2u);
}

TEST_F(OrgTemplateDirectory, PathsOutsideAreRefused) {
  write("team/org.yaml", "workspaces: !include ../secret.yaml\n");
  EXPECT_EQ(planOrgFromDirectory(root_.string(), "team").error().code, Errc::invalid_argument);
  write("team/org.yaml", "workspaces: !include org.yaml\n");
  EXPECT_NE(planOrgFromDirectory(root_.string(), "team").error().message.find("cycle"), std::string::npos);
  for (const char* dir : {"", ".", "..", "../etc", "/etc"})
    EXPECT_EQ(planOrgFromDirectory(root_.string(), dir).error().code, Errc::invalid_argument) << dir;
  EXPECT_EQ(planOrgFromDirectory(root_.string(), "missing").error().code, Errc::not_found);
}

TEST(OrgTemplates, MissingEnvLabelsEachRequirementOnce) {
  const std::vector<EnvRequirement> required{{"A"}, {"B", "C"}, {"A"}, {"D"}};
  const EnvGap gap = missingEnv(required, {"C"});
  EXPECT_EQ(gap.required, (std::vector<std::string>{"A", R"(any of ["B","C"])", "D"}));
  EXPECT_EQ(gap.missing, (std::vector<std::string>{"A", "D"}));
  EXPECT_TRUE(missingEnv(required, {"A", "B", "D"}).missing.empty());
}

}  // namespace
}  // namespace ws
