// Bundles over HTTP (GET /bundles/export/:id, POST /bundles/import): the reference's shapes and
// error texts, the admin gate, hostile bodies, and a tree round-tripped with no backend wired
// (the workloads' side is the contract scenario's, on each backend).

#include <gtest/gtest.h>

#include "support/server_process.h"

namespace ws::test {
namespace {

using nlohmann::json;

const std::string kAdmin = "bundles-admin-token";

class Bundles : public ::testing::Test {
 protected:
  ServerProcess server_{{"--allow-loopback-agents"}, {{"ADMIN_TOKEN", kAdmin}}};
  HttpClient admin_ = server_.client(kAdmin);

  std::string create(const json& body) {
    auto r = admin_.post("/workspaces", body);
    EXPECT_EQ(r.status, 201) << r.body;
    return r.json().value("id", "");
  }
  HttpResult import(const std::string& body, const std::string& bearer = kAdmin) {
    return server_.client().request("POST", "/bundles/import", body, {{"Authorization", "Bearer " + bearer}});
  }
};

TEST_F(Bundles, ATreeRoundTripsWithNewIds) {
  const std::string lead = create({{"name", "lead"}, {"role", "leads"}, {"tier", 2}, {"hibernation_idle_minutes", 45},
                                   {"secrets", {{"LEAD_KEY", "value-that-stays-here"}}},
                                   {"initial_memories", {{{"content", "remember the plan"}, {"scope", "TEAM"}}}}});
  const std::string helper = create({{"name", "helper"}, {"parent_id", lead}});
  ASSERT_EQ(admin_.post("/workspaces/" + lead + "/schedules", {{"name", "nightly"}, {"cron_expr", "0 2 * * *"}, {"prompt", "tidy up"}}).status, 201);

  auto exported = admin_.get("/bundles/export/" + lead);
  ASSERT_EQ(exported.status, 200) << exported.body;
  const json b = exported.json();
  for (const char* field : {"schema", "id", "name", "description", "tier", "model", "system_prompt", "skills", "tools",
                            "prompts", "sub_workspaces", "agent_card", "author", "version"})
    EXPECT_TRUE(b.contains(field)) << "the reference's field " << field;
  EXPECT_EQ(b["id"], lead);
  EXPECT_EQ(b["description"], "leads");
  EXPECT_EQ(b["secrets"], json::array({"LEAD_KEY"}));
  EXPECT_EQ(exported.body.find("value-that-stays-here"), std::string::npos);
  ASSERT_EQ(b["sub_workspaces"].size(), 1u);
  EXPECT_EQ(b["sub_workspaces"][0]["id"], helper);
  EXPECT_NE(b["warnings"].dump().find("not running"), std::string::npos) << "no backend: no /configs to read";

  auto imported = import(b.dump());
  ASSERT_EQ(imported.status, 201) << imported.body;
  const json r = imported.json();
  const std::string copy = r["workspace_id"];
  EXPECT_NE(copy, lead);
  EXPECT_EQ(r["name"], "lead");
  EXPECT_EQ(r["status"], "failed") << "no backend: recorded and failed with the reason, as a create";
  EXPECT_NE(r.value("error", "").find("no workspace backend"), std::string::npos) << r;
  EXPECT_EQ(r["missing_secrets"], json::array({"LEAD_KEY"}));
  ASSERT_EQ(r["children"].size(), 1u);
  const std::string copied_helper = r["children"][0]["workspace_id"];

  const json one = admin_.get("/workspaces/" + copy).json();
  EXPECT_EQ(one["role"], "leads");
  EXPECT_EQ(one["tier"], 2);
  EXPECT_EQ(one["hibernation_idle_minutes"], 45);
  EXPECT_EQ(admin_.get("/workspaces/" + copied_helper).json()["parent_id"], copy);
  EXPECT_EQ(admin_.get("/workspaces/" + copy + "/schedules").json()[0]["prompt"], "tidy up");
  EXPECT_EQ(admin_.get("/workspaces/" + copy + "/memories").json()[0]["content"], "remember the plan");
  EXPECT_TRUE(admin_.get("/workspaces/" + copy + "/secrets").json().empty()) << "only names travel";
  EXPECT_EQ(admin_.get("/workspaces").json().size(), 4u);
  EXPECT_TRUE(sawEvent(admin_, copy, "WORKSPACE_PROVISIONING"));
}

TEST_F(Bundles, ExportErrorsAreTheReferences) {
  auto missing = admin_.get("/bundles/export/00000000-0000-4000-8000-000000000000");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.json()["error"], "bundle not found");
  EXPECT_EQ(admin_.get("/bundles/export/not-a-uuid").status, 400);
  const std::string gone = create({{"name", "gone"}});
  ASSERT_EQ(admin_.request("DELETE", "/workspaces/" + gone).status, 200);
  EXPECT_EQ(admin_.get("/bundles/export/" + gone).status, 404) << "a removed workspace has no bundle";
}

TEST_F(Bundles, HostileImportsAreRefusedAndCreateNothing) {
  for (const std::string& body : std::vector<std::string>{"not json", "", "[]", "\"a string\"", "{\"name\": 5}", "{\"tier\": 2}",
                                 R"({"name": "x", "files": {"../../etc/passwd": "x"}})",
                                 R"({"name": "x", "files": {".auth_token": "forged"}})",
                                 R"({"name": "x", "secrets": {"OPENAI_API_KEY": "sk-value"}})",
                                 R"({"name": "x", "sub_workspaces": [{"name": "y", "sub_workspaces": [7]}]})",
                                 std::string(70, '[') + std::string(70, ']')}) {
    auto r = import(body);
    EXPECT_EQ(r.status, 400) << body << " -> " << r.body;
    EXPECT_EQ(r.json()["error"], "invalid bundle") << body;
  }
  auto detail = import(R"({"name": "x", "files": {".auth_token": "forged"}})").json();
  EXPECT_NE(detail.value("detail", "").find(".auth_token"), std::string::npos) << detail;
  EXPECT_EQ(import(std::string(17u << 20, ' ')).status, 413) << "bounded: 16 MiB";
  EXPECT_TRUE(admin_.get("/workspaces").json().empty());
}

TEST_F(Bundles, OnlyTheAdminMayExportOrImport) {
  const std::string id = create({{"name", "mine"}});
  auto reg = server_.client().post("/registry/register", {{"id", id}, {"url", "http://127.0.0.1:9"}, {"agent_card", {{"name", "mine"}}}});
  ASSERT_EQ(reg.status, 200) << reg.body;
  const std::string token = reg.json()["auth_token"];
  EXPECT_EQ(server_.client().get("/bundles/export/" + id).status, 401);
  EXPECT_EQ(server_.client(token).get("/bundles/export/" + id).status, 401) << "a workspace token is not the admin's";
  EXPECT_EQ(import(R"({"name": "x"})", token).status, 401);
  EXPECT_EQ(import(R"({"name": "x"})", "").status, 401);
  EXPECT_EQ(admin_.get("/workspaces").json().size(), 1u);
}

}  // namespace
}  // namespace ws::test
