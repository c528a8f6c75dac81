// Bundles: a tree exported with its /configs (through the archive dispatcher), plugins,
// schedules, memories and secret names, and imported anew, all or nothing.

#include "service/bundles.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <mutex>

#include "app/wiring.h"
#include "core/tar.h"
#include "service/memories.h"
#include "support/test_store.h"

namespace ws::test {
namespace {

using nlohmann::json;

// A backend whose workloads keep the config files of their start, served back as /configs.
class ConfigsBackend final : public Provisioner {
 public:
  std::string name() const override { return "fake"; }
  Result<StartResult> start(const WorkspaceConfig& c) override {
    std::lock_guard lock(mutex_);
    configs[c.workspace_id] = c.config_files;
    return StartResult{"http://127.0.0.1:9", ""};
  }
  Result<> stop(const std::string&) override { return {}; }
  Liveness isRunning(const std::string&) override { return {true, std::nullopt}; }
  Result<std::string> bootLog(const std::string&) override { return std::string(); }
  Result<ExecResult> exec(const std::string&, const std::vector<std::string>&, const std::string&) override {
    return ExecResult{};
  }
  Result<std::string> readArchive(const std::string& id, const std::string& path) override {
    std::lock_guard lock(mutex_);
    reads.push_back(path);
    std::vector<TarEntry> entries{{"configs", "", 0755, true}};
    for (const auto& [rel, content] : configs[id]) entries.push_back({"configs/" + rel, content, 0644, false});
    return makeTar(entries);
  }
  Result<> writeArchive(const std::string&, const std::string&, const std::string&) override { return {}; }
  Result<TerminalPtr> openTerminal(const std::string&) override { return makeError(Errc::unsupported, "no"); }
  Result<std::vector<std::string>> listManaged() override { return std::vector<std::string>{}; }
  Result<> removeVolumes(const std::string&) override { return {}; }

  std::map<std::string, std::map<std::string, std::string>> configs;
  std::vector<std::string> reads;

 private:
  std::mutex mutex_;
};

class BundlesTest : public ::testing::Test {
 protected:
  BundlesTest() {
    std::filesystem::create_directories(plugins_ / "echo-skill" / "skills");
    std::ofstream(plugins_ / "echo-skill" / "plugin.yaml") << "name: echo-skill\nversion: 1.0.0\n";
    std::ofstream(plugins_ / "echo-skill" / "skills" / "echo.md") << "repeat\n";
    config_.plugins_dir = plugins_.string();
    config_.templates_dir = (plugins_ / "no-templates").string();
  }
  ~BundlesTest() override { std::filesystem::remove_all(plugins_); }

  /// A workspace with a file, a schedule, a memory, a secret and a plugin, online with its
  /// workload's /configs as provisioned.
  Workspace seed(const std::string& name, std::optional<std::string> parent = std::nullopt) {
    auto w = makeWorkspace(name, Status::provisioning, std::move(parent));
    w.role = "keeps notes";
    w.tier = 2;
    w.hibernation_idle_minutes = 30;
    w.awareness_namespace = "workspace:" + w.id;
    WorkspaceService::NewWorkspace n{w};
    n.files = {{"notes/guide.md", "follow the river\n"}};
    n.secrets = {{"GUIDE_TOKEN", "s3cret-value"}};
    n.memories = {*makeMemory(w, "the map is upside down", "LOCAL", "")};
    ScheduleRecord s;
    s.id = newUuid();
    s.workspace_id = w.id;
    s.name = "daily";
    s.cron_expr = "0 9 * * *";
    s.prompt = "report";
    s.created_at = s.updated_at = nowTime();
    n.schedules = {s};
    n.plugins = {{w.id, "echo-skill", "local://echo-skill", nowTime()}};
    EXPECT_TRUE(wiring_.workspaces.create({n}));
    wiring_.workspaces.drain();
    EXPECT_TRUE(wiring_.lifecycle.change(StatusChange::to(Status::online, w.id)));
    return w;
  }
  std::size_t rows() { return store_->listWorkspaces()->size(); }

  std::filesystem::path plugins_ = std::filesystem::temp_directory_path() / ("ws-bundle-plugins-" + newUuid());
  TempStore store_;
  ServerConfig config_;
  std::shared_ptr<ConfigsBackend> backend_ = std::make_shared<ConfigsBackend>();
  Wiring wiring_{config_, *store_, nullptr, backend_};
  Bundles bundles_{*store_, wiring_.workspaces, config_};
};

TEST_F(BundlesTest, ExportCarriesTheTreeWithSecretNamesOnly) {
  const auto root = seed("lead");
  const auto child = seed("helper", root.id);
  auto b = bundles_.exportTree(root.id);
  ASSERT_TRUE(b) << b.error().message;
  EXPECT_EQ((*b)["name"], "lead");
  EXPECT_EQ((*b)["description"], "keeps notes");
  EXPECT_EQ((*b)["hibernation_idle_minutes"], 30);
  EXPECT_EQ((*b)["files"]["notes/guide.md"], "follow the river\n") << "read through the archive dispatcher";
  EXPECT_EQ((*b)["prompts"]["config.yaml"], (*b)["files"]["config.yaml"]) << "the reference's field";
  EXPECT_FALSE((*b)["files"].contains(".auth_token"));
  for (const auto& [path, content] : (*b)["files"].items()) EXPECT_NE(path.rfind("plugins/", 0), 0u) << path;
  EXPECT_EQ((*b)["plugins"], json::parse(R"([{"name":"echo-skill","source":"local://echo-skill"}])"));
  EXPECT_EQ((*b)["schedules"][0]["name"], "daily");
  EXPECT_EQ((*b)["memories"][0]["content"], "the map is upside down");
  EXPECT_EQ((*b)["secrets"], json::array({"GUIDE_TOKEN"}));
  EXPECT_EQ(b->dump().find("s3cret-value"), std::string::npos);
  ASSERT_EQ((*b)["sub_workspaces"].size(), 1u);
  EXPECT_EQ((*b)["sub_workspaces"][0]["name"], "helper");
  EXPECT_EQ(backend_->reads, (std::vector<std::string>{"/configs", "/configs"}));
  (void)child;
}

TEST_F(BundlesTest, ImportMakesANewTreeWhoseProvisionsCarryTheFiles) {
  const auto root = seed("lead");
  seed("helper", root.id);
  const auto before = rows();
  auto b = bundles_.exportTree(root.id);
  ASSERT_TRUE(b);
  auto result = bundles_.importTree(*b);
  ASSERT_TRUE(result) << result.error().message;
  wiring_.workspaces.drain();
  EXPECT_EQ(rows(), before + 2);
  const std::string copy = (*result)["workspace_id"];
  EXPECT_NE(copy, root.id);
  EXPECT_EQ((*result)["status"], "provisioning");
  EXPECT_EQ((*result)["missing_secrets"], json::array({"GUIDE_TOKEN"})) << "values never travel";
  ASSERT_EQ((*result)["children"].size(), 1u);
  const std::string child = (*result)["children"][0]["workspace_id"];
  EXPECT_EQ((*store_->findWorkspace(child))->parent_id, copy);
  const auto& delivered = backend_->configs[copy];
  EXPECT_EQ(delivered.at("notes/guide.md"), "follow the river\n");
  EXPECT_NE(delivered.at("config.yaml").find("name: lead"), std::string::npos);
  EXPECT_EQ(delivered.at("plugins/echo-skill/skills/echo.md"), "repeat\n") << "the plugin is installed again";
  EXPECT_NE(delivered.at(".auth_token"), backend_->configs[root.id].at(".auth_token")) << "its own credential";
  EXPECT_EQ(store_->listSchedules(copy)->at(0).name, "daily");
  EXPECT_TRUE(store_->listSchedules(copy)->at(0).next_run_at);
  MemoryFilter f;
  f.local_of = {copy};
  f.global = false;
  EXPECT_EQ(store_->listMemories(f)->at(0).content, "the map is upside down");
  EXPECT_TRUE(store_->listSecrets(copy)->empty());
  EXPECT_EQ((*store_->findWorkspace(copy))->hibernation_idle_minutes, 30);
}

TEST_F(BundlesTest, TheReferencesFieldsBecomeFiles) {
  const json b = json::parse(R"({"schema": "1.0", "name": "from the reference", "tier": 2,
    "system_prompt": "be brief", "prompts": {"config.yaml": "name: x\nruntime: langgraph\nstyle: terse\n"},
    "skills": [{"id": "summarise", "files": {"SKILL.md": "# Summarise"}}], "sub_workspaces": []})");
  auto result = bundles_.importTree(b);
  ASSERT_TRUE(result) << result.error().message;
  wiring_.workspaces.drain();
  const auto& delivered = backend_->configs[(*result)["workspace_id"]];
  EXPECT_EQ(delivered.at("system-prompt.md"), "be brief");
  EXPECT_EQ(delivered.at("skills/summarise/SKILL.md"), "# Summarise");
  const auto& config = delivered.at("config.yaml");
  EXPECT_NE(config.find("style: terse"), std::string::npos) << config;
  EXPECT_NE(config.find("name: from the reference"), std::string::npos) << "its own identity: " << config;
}

TEST_F(BundlesTest, AMalformedBundleCreatesNothing) {
  const auto deep = [] {
    json b{{"name", "leaf"}};
    for (int i = 0; i < 17; ++i) b = {{"name", "level"}, {"sub_workspaces", {b}}};
    return b;
  }();
  json many_files = json::object();
  for (int i = 0; i < 201; ++i) many_files["f" + std::to_string(i)] = "x";
  const std::vector<std::pair<json, std::string>> cases{
      {json::parse(R"({"tier": 2})"), "name is required"},
      {json::parse(R"({"name": "a", "files": {"../escape": "x"}})"), "not allowed"},
      {json::parse(R"({"name": "a", "files": {".auth_token": "stolen"}})"), "not allowed"},
      {json::parse(R"({"name": "a", "files": {"plugins/evil/x": "x"}})"), "not allowed"},
      {json::parse(R"({"name": "a", "files": {"x": 5}})"), "must be a string"},
      {json::parse(R"({"name": "a", "secrets": {"KEY": "value"}})"), "names"},
      {json::parse(R"({"name": "a", "secrets": [{"key": "K", "value": "v"}]})"), "names only"},
      {json::parse(R"({"name": "a", "memories": [{"content": "x", "scope": "GLOBAL"}]})"), "GLOBAL"},
      {json::parse(R"({"name": "a", "schedules": [{"name": "s", "cron_expr": "every day", "prompt": "p"}]})"), "schedule s"},
      {json::parse(R"({"name": "a", "schedules": [{"name": "s", "cron_expr": "0 9 * * *", "prompt": "p"},
                                                  {"name": "s", "cron_expr": "0 9 * * *", "prompt": "p"}]})"), "twice"},
      {json::parse(R"({"name": "a", "tier": 9})"), "tier"},
      {json::parse(R"({"name": "a", "hibernation_idle_minutes": -1})"), "hibernation_idle_minutes"},
      {json::parse(R"({"name": "a", "sub_workspaces": [{"name": "ok"}, "not a workspace"]})"), "sub_workspaces[1]"},
      {json::parse(R"({"name": "a\nname: injected"})"), "name"},
      {deep, "16 levels"},
      {json{{"name", "a"}, {"files", many_files}}, "200 files"},
  };
  for (const auto& [bundle, why] : cases) {
    auto r = bundles_.importTree(bundle);
    ASSERT_FALSE(r) << bundle.dump();
    EXPECT_EQ(r.error().code, Errc::invalid_argument) << bundle.dump();
    EXPECT_NE(r.error().message.find(why), std::string::npos) << r.error().message;
  }
  EXPECT_EQ(rows(), 0u);
}

TEST_F(BundlesTest, AnUnknownPluginOrTemplateIsAWarningNotAFailure) {
  auto r = bundles_.importTree(json::parse(R"({"name": "a", "template": "nowhere", "plugins": [{"name": "not-here"}]})"));
  ASSERT_TRUE(r) << r.error().message;
  const auto warnings = (*r)["warnings"].dump();
  EXPECT_NE(warnings.find("template nowhere"), std::string::npos) << warnings;
  EXPECT_NE(warnings.find("plugin not-here"), std::string::npos) << warnings;
  EXPECT_TRUE(store_->listPlugins((*r)["workspace_id"])->empty());
}

TEST_F(BundlesTest, AWorkspaceThatIsNotRunningExportsTheFilesTheServerKeeps) {
  const auto w = seed("sleeper");
  ASSERT_TRUE(wiring_.lifecycle.change(StatusChange::to(Status::paused, w.id)));
  backend_->reads.clear();
  auto b = bundles_.exportTree(w.id);
  ASSERT_TRUE(b);
  EXPECT_TRUE(backend_->reads.empty()) << "no archive of a stopped workload";
  EXPECT_EQ((*b)["files"], json::parse(R"({"notes/guide.md": "follow the river\n"})"));
  EXPECT_NE((*b)["warnings"].dump().find("not running"), std::string::npos);
}

TEST_F(BundlesTest, ExportRefusesUnknownAndMalformedIds) {
  EXPECT_EQ(bundles_.exportTree(newUuid()).error().code, Errc::not_found);
  EXPECT_EQ(bundles_.exportTree("../etc").error().code, Errc::invalid_argument);
}

TEST(BundleArchive, TextFilesWithinTheLimitsWithoutCredentialsOrPlugins) {
  std::vector<TarEntry> entries{{"configs/config.yaml", "name: a\n", 0644, false},
                                {"configs/.auth_token", "secret", 0600, false},
                                {"configs/plugins/p/x.md", "x", 0644, false},
                                {"configs/blob.bin", std::string("\xff\xfe\x00", 3), 0644, false},
                                {"configs/big.txt", std::string(BundleLimits::kMaxFileBytes + 1, 'a'), 0644, false}};
  std::vector<std::string> warnings;
  const auto files = bundleFilesFromArchive(*makeTar(entries), warnings);
  EXPECT_EQ(files, (std::map<std::string, std::string>{{"config.yaml", "name: a\n"}}));
  ASSERT_EQ(warnings.size(), 2u);
  EXPECT_NE(warnings[0].find("blob.bin is not UTF-8"), std::string::npos);
  EXPECT_NE(warnings[1].find("big.txt is beyond the limits"), std::string::npos);
}

}  // namespace
}  // namespace ws::test
