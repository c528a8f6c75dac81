// Workspace templates on the real binary without a backend: the library (GET /templates),
// imports, org templates, a template's defaults at create and the shared context it names.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "support/server_process.h"

namespace ws::test {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

const std::string kAdmin = "templates-admin-token";

class Templates : public ::testing::Test {
 protected:
  void SetUp() override {
    write("writer/config.yaml", R"(name: Writer
description: writes things
tier: 2
runtime: claude-code
runtime_config:
  model: sonnet
  required_env: [ANTHROPIC_API_KEY]
  provision_timeout_seconds: 240
  models:
    - {id: sonnet, name: Sonnet, required_env: [ANTHROPIC_API_KEY]}
skills: [research, drafting]
shared_context: [prompts/style.md, ../../etc/passwd, missing.md]
)");
    write("writer/prompts/style.md", "be brief\n");
    write("broken/config.yaml", "name: [unclosed\n");
    write("laughs/config.yaml", "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                                "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
                                "e: [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n");
    write("Not An Id/config.yaml", "name: skipped\n");
    write("no-config/readme.md", "no config.yaml: not a template\n");
    write("org/acme/org.yaml", "name: Acme\ndescription: a small org\nrequired_env: [ACME_KEY]\n"
                               "workspaces:\n  - name: lead\n    template: writer\n    children:\n      - name: helper\n");
    write("org/broken/org.yaml", "name: broken\nworkspaces: 5\n");
    server_ = std::make_unique<ServerProcess>(
        std::vector<std::string>{"--allow-loopback-agents", "--templates-dir", root(), "--org-templates-dir", root() + "/org"},
        std::map<std::string, std::string>{{"ADMIN_TOKEN", kAdmin}});
  }
  std::string root() const { return dir_.path() + "/templates"; }
  void write(const std::string& rel, const std::string& content) {
    const fs::path p = fs::path(root()) / rel;
    fs::create_directories(p.parent_path());
    std::ofstream(p) << content;
  }
  TempDir dir_;
  std::unique_ptr<ServerProcess> server_;
};

TEST_F(Templates, ListShowsEveryReadableTemplate) {
  auto c = server_->client(kAdmin);
  const json list = c.get("/templates").json();
  ASSERT_EQ(list.size(), 1u) << list.dump() << ": broken YAML, alias bombs, odd names and dirs without config.yaml are left out";
  const json& w = list[0];
  EXPECT_EQ(w["id"], "writer");
  EXPECT_EQ(w["name"], "Writer");
  EXPECT_EQ(w["description"], "writes things");
  EXPECT_EQ(w["tier"], 2);
  EXPECT_EQ(w["runtime"], "claude-code");
  EXPECT_EQ(w["model"], "sonnet") << "runtime_config.model when there is no top-level model";
  EXPECT_EQ(w["skills"], json({"research", "drafting"}));
  EXPECT_EQ(w["skill_count"], 2);
  EXPECT_EQ(w["required_env"], json({"ANTHROPIC_API_KEY"}));
  EXPECT_EQ(w["provision_timeout_seconds"], 240);
  EXPECT_EQ(w["models"], json::parse(R"([{"id":"sonnet","name":"Sonnet","required_env":["ANTHROPIC_API_KEY"]}])"));
  EXPECT_EQ(server_->client().get("/templates").status, 401);
}

TEST_F(Templates, ImportWritesATemplateOnce) {
  auto c = server_->client(kAdmin);
  auto r = c.post("/templates/import", {{"name", "My Bot"}, {"files", {{"guide.md", "hello"}, {"skills/search/SKILL.md", "s"}}}});
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(r.json(), json({{"status", "imported"}, {"id", "my-bot"}, {"name", "My Bot"}}));
  json listed;
  for (const auto& t : c.get("/templates").json())
    if (t["id"] == "my-bot") listed = t;
  ASSERT_FALSE(listed.is_null()) << "the generated config.yaml makes it a template";
  EXPECT_EQ(listed["name"], "My Bot");
  EXPECT_EQ(listed["skills"], json({"search"}));
  std::ifstream guide(root() + "/my-bot/guide.md");
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(guide), {}), "hello");

  auto again = c.post("/templates/import", {{"name", "my bot"}, {"files", {{"x.md", "x"}}}});
  EXPECT_EQ(again.status, 409);
  EXPECT_EQ(again.json()["id"], "my-bot");
  // A name that is also a quoting attack stays data.
  auto quoted = c.post("/templates/import", {{"name", "q\"\nruntime: pwned"}, {"files", json::object()}});
  ASSERT_EQ(quoted.status, 201) << quoted.body;
  for (const auto& t : c.get("/templates").json()) {
    if (t["id"] == quoted.json()["id"]) {
      EXPECT_EQ(t["runtime"], "");
    }
  }
}

TEST_F(Templates, ImportRefusesBadInputAndChangesNothing) {
  auto c = server_->client(kAdmin);
  for (const std::string path : {"../escape.md", "/abs.md", "a//b.md", "./x.md", "a/../../b.md", "ctl\x01.md"}) {
    auto r = c.post("/templates/import", {{"name", "evil"}, {"files", {{path, "x"}}}});
    EXPECT_EQ(r.status, 400) << path << ": " << r.body;
  }
  json many = json::object();
  for (int i = 0; i < 201; ++i) many["f" + std::to_string(i)] = "x";
  EXPECT_EQ(c.post("/templates/import", {{"name", "evil"}, {"files", many}}).status, 400);
  EXPECT_EQ(c.post("/templates/import", {{"name", "evil"}, {"files", {{"a.md", 5}}}}).status, 400);
  EXPECT_EQ(c.post("/templates/import", {{"files", {{"a.md", "x"}}}}).status, 400);
  EXPECT_EQ(c.post("/templates/import", {{"name", "evil"}}).status, 400);
  EXPECT_EQ(c.request("POST", "/templates/import", "{not json").status, 400);
  EXPECT_EQ(server_->client().post("/templates/import", {{"name", "evil"}, {"files", json::object()}}).status, 401);
  EXPECT_FALSE(fs::exists(root() + "/evil"));
  EXPECT_FALSE(fs::exists(dir_.path() + "/escape.md"));
  for (const auto& e : fs::directory_iterator(root())) EXPECT_NE(e.path().filename().string().rfind(".import-", 0), 0u) << "no staging left";
}

TEST_F(Templates, OrgTemplatesListed) {
  auto c = server_->client(kAdmin);
  const json list = c.get("/org/templates").json();
  ASSERT_EQ(list.size(), 1u) << list.dump();
  EXPECT_EQ(list[0], json({{"dir", "acme"}, {"name", "Acme"}, {"description", "a small org"}, {"workspaces", 2}, {"required_env", {"ACME_KEY"}}}));
  EXPECT_EQ(server_->client().get("/org/templates").status, 401);
  const json missing = {{"workspaces", {{{"name", "x"}, {"template", "nowhere"}, {"external", true}}}}};
  EXPECT_EQ(c.post("/org/import", {{"template", missing}, {"force", true}}).status, 400) << "as a single create";
  EXPECT_TRUE(c.get("/workspaces").json().empty());
}

TEST_F(Templates, CreateTakesTheTemplatesDefaults) {
  auto c = server_->client(kAdmin);
  auto r = c.post("/workspaces", {{"name", "drafter"}, {"template", "writer"}, {"external", true}});
  ASSERT_EQ(r.status, 201) << r.body;
  const json w = c.get("/workspaces/" + r.json()["id"].get<std::string>()).json();
  EXPECT_EQ(w["runtime"], "claude-code");
  auto own = c.post("/workspaces", {{"name", "mine"}, {"template", "writer"}, {"runtime", "langgraph"}, {"model", "m1"}, {"external", true}});
  ASSERT_EQ(own.status, 201) << own.body;
  EXPECT_EQ(c.get("/workspaces/" + own.json()["id"].get<std::string>()).json()["runtime"], "langgraph") << "the request wins";

  const auto before = c.get("/workspaces").json().size();
  for (const std::string bad : {"nowhere", "../writer", "Writer", "broken", "laughs", "no-config"}) {
    auto refused = c.post("/workspaces", {{"name", "x"}, {"template", bad}, {"external", true}});
    EXPECT_EQ(refused.status, 400) << bad << ": " << refused.body;
  }
  EXPECT_NE(c.post("/workspaces", {{"name", "x"}, {"template", "nowhere"}}).body.find("template not found"), std::string::npos);
  EXPECT_EQ(c.get("/workspaces").json().size(), before) << "a refused create records nothing";
}

TEST_F(Templates, SharedContextComesFromTheTemplateWithoutAWorkload) {
  auto c = server_->client(kAdmin);
  auto r = c.post("/workspaces", {{"name", "reader"}, {"template", "writer"}, {"external", true}});
  ASSERT_EQ(r.status, 201) << r.body;
  const std::string id = r.json()["id"];
  const std::string token = r.json()["connection"]["auth_token"];
  auto own = server_->client(token).get("/workspaces/" + id + "/shared-context");
  ASSERT_EQ(own.status, 200) << own.body;
  EXPECT_EQ(own.json(), json::parse(R"([{"path":"prompts/style.md","content":"be brief\n"}])"))
      << "unsafe and missing paths are left out";

  auto plain = c.post("/workspaces", {{"name", "plain"}, {"external", true}});
  ASSERT_EQ(plain.status, 201);
  const std::string other = plain.json()["id"];
  EXPECT_EQ(server_->client(plain.json()["connection"]["auth_token"].get<std::string>()).get("/workspaces/" + other + "/shared-context").json(),
            json::array());
  EXPECT_EQ(server_->client(token).get("/workspaces/" + other + "/shared-context").status, 401) << "a foreign token";
  EXPECT_EQ(c.get("/workspaces/7c1d7d1e-0f7e-4a57-9a0b-3f8a1b2c3d4e/shared-context").status, 404);
}

TEST_F(Templates, ARefusedRestartKeepsTheTemplate) {
  auto c = server_->client(kAdmin);
  auto r = c.post("/workspaces", {{"name", "managed"}});  // no backend: recorded, failed
  ASSERT_EQ(r.status, 201) << r.body;
  const std::string id = r.json()["id"];
  EXPECT_EQ(c.post("/workspaces/" + id + "/restart", json{{"template", "nowhere"}}).status, 400);
  EXPECT_EQ(c.post("/workspaces/" + id + "/restart", json{{"template", "../writer"}}).status, 400);
  EXPECT_EQ(c.post("/workspaces/" + id + "/restart", json{{"template", 5}}).status, 400);
  EXPECT_EQ(c.post("/workspaces/" + id + "/restart", json{{"template", "writer"}}).status, 503) << "no backend";
  EXPECT_EQ(c.get("/workspaces/" + id + "/shared-context").json(), json::array()) << "the refused restart stored no template";
}

}  // namespace
}  // namespace ws::test
