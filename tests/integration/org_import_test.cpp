// POST /org/import without a backend: template loading (dir + !include, JSON, YAML), the
// required-env gate, the provisioning gate and bad input.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "support/probes.h"
#include "support/server_process.h"

namespace ws::test {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

const std::string kAdmin = "org-admin-token";

class OrgImport : public ::testing::Test {
 protected:
  void SetUp() override {
    write("acme/org.yaml", R"(name: acme
defaults:
  tier: 3
workspaces:
  - name: front desk
    external: true
    url: http://localhost:9100
    children: !include team.yaml
)");
    write("acme/team.yaml", R"(- name: helper
  external: true
  url: http://localhost:9101
- name: second helper
  external: true
  url: http://localhost:9102
)");
    write("escape/org.yaml", "name: escape\nworkspaces: !include ../acme/team.yaml\n");
    write("loop/org.yaml", "name: loop\nworkspaces: !include a.yaml\n");
    write("loop/a.yaml", "!include b.yaml\n");
    write("loop/b.yaml", "!include a.yaml\n");
    write("noname/org.yaml", "name: noname\nworkspaces: !include\n");
    write("subdir/org.yaml", "name: subdir\nworkspaces: !include team\n");
    write("subdir/team/x.yaml", "- name: x\n");
    write("dironly/org.yaml/x.yaml", "- name: x\n");
    write("longinc/org.yaml", "name: longinc\nworkspaces: !include " + std::string(5000, 'a') + "\n");
    server_ = std::make_unique<ServerProcess>(
        std::vector<std::string>{"--allow-loopback-agents", "--org-templates-dir", dir_.path() + "/orgs"},
        std::map<std::string, std::string>{{"ADMIN_TOKEN", kAdmin}});
  }
  void write(const std::string& rel, const std::string& content) {
    const fs::path p = fs::path(dir_.path()) / "orgs" / rel;
    fs::create_directories(p.parent_path());
    std::ofstream(p) << content;
  }
  TempDir dir_;
  std::unique_ptr<ServerProcess> server_;
};

TEST_F(OrgImport, DirectoryTemplateWithIncludes) {
  auto c = server_->client(kAdmin);
  auto r = c.post("/org/import", {{"dir", "acme"}});
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(r.json()["org"], "acme");
  EXPECT_EQ(r.json()["count"], 3);
  const json all = c.get("/workspaces").json();
  ASSERT_EQ(all.size(), 3u);
  for (const auto& w : all) {
    EXPECT_EQ(w["status"], "online");
    EXPECT_EQ(w["tier"], 3) << "defaults apply";
  }
}

TEST_F(OrgImport, RefusesEscapesCyclesAndUnknownDirs) {
  auto c = server_->client(kAdmin);
  EXPECT_EQ(c.post("/org/import", {{"dir", "escape"}}).status, 400);
  EXPECT_EQ(c.post("/org/import", {{"dir", "loop"}}).status, 400);
  EXPECT_EQ(c.post("/org/import", {{"dir", "../.."}}).status, 400);
  EXPECT_EQ(c.post("/org/import", {{"dir", "nowhere"}}).status, 404);
  EXPECT_EQ(c.post("/org/import", {{"dir", "noname"}}).status, 400) << "!include of the directory itself";
  EXPECT_EQ(c.post("/org/import", {{"dir", "subdir"}}).status, 400) << "!include of a directory";
  EXPECT_EQ(c.post("/org/import", {{"dir", "dironly"}}).status, 404) << "org.yaml is a directory";
  EXPECT_EQ(c.post("/org/import", {{"dir", std::string(5000, 'a')}}).status, 400) << "a name too long for the file system";
  EXPECT_EQ(c.post("/org/import", {{"dir", "longinc"}}).status, 400) << "an !include name too long for the file system";
  EXPECT_EQ(c.post("/org/import", json::object()).status, 400);
  EXPECT_EQ(c.post("/org/import", {{"template", {{"workspaces", {{{"name", "bad\nname"}}}}}}}).status, 400);
  EXPECT_EQ(c.post("/org/import", {{"template", {{"workspaces", {{{"name", "x"}, {"tier", 9}}}}}}}).status, 400);
  EXPECT_EQ(c.post("/org/import", {{"template", {{"required_env", {"lower"}}, {"workspaces", {{{"name", "x"}}}}}}}).status, 400);
  EXPECT_TRUE(c.get("/workspaces").json().empty()) << "nothing imported";
}

TEST_F(OrgImport, RequiredEnvGateUsesGlobalSecrets) {
  auto c = server_->client(kAdmin);
  const json tmpl{{"name", "gated"},
                  {"required_env", {"ALPHA_KEY", {{"any_of", {"BETA_KEY", "GAMMA_KEY"}}}}},
                  {"workspaces", {{{"name", "ext"}, {"external", true}, {"url", "http://localhost:9200"}}}}};
  auto r = c.post("/org/import", {{"template", tmpl}});
  ASSERT_EQ(r.status, 412) << r.body;
  EXPECT_EQ(r.json()["missing_env"].size(), 2u);
  // Provide the secrets (the secrets API writes this table) and import again.
  const std::string zero = server_->postgres() ? "'\\x00'::bytea" : "x'00'";
  execSql(server_->dbPath(), "INSERT INTO global_secrets (key, encrypted_value, created_at, updated_at) VALUES "
                             "('ALPHA_KEY', " + zero + ", '', ''), ('GAMMA_KEY', " + zero + ", '', '')");
  auto ok = c.post("/org/import", {{"template", tmpl}});
  EXPECT_EQ(ok.status, 201) << ok.body;
}

TEST_F(OrgImport, YamlBodyAndNoBackendGate) {
  auto c = server_->client(kAdmin);
  auto r = c.request("POST", "/org/import?force=true", "name: y\nworkspaces:\n  - name: managed\n",
                     {{"Content-Type", "application/yaml"}});
  EXPECT_EQ(r.status, 503) << "managed workspaces need a backend: " << r.body;
  EXPECT_TRUE(c.get("/workspaces").json().empty());
  auto bad = c.request("POST", "/org/import", "name: [unclosed", {{"Content-Type", "application/yaml"}});
  EXPECT_EQ(bad.status, 400);
  auto latin1 = c.request("POST", "/org/import?force=true", "name: y\nworkspaces:\n  - name: caf\xe9\n    external: true\n",
                          {{"Content-Type", "application/yaml"}});
  EXPECT_EQ(latin1.status, 400) << "names must be UTF-8: " << latin1.body;
  auto console = c.get("/workspaces/7c1d7d1e-0f7e-4a57-9a0b-3f8a1b2c3d4e/console");
  EXPECT_EQ(console.status, 404);
}

}  // namespace
}  // namespace ws::test
