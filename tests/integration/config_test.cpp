// Configuration precedence: embedded defaults, then the environment (the reference's names),
// then flags.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "support/server_process.h"

namespace ws::test {
namespace {

const std::string kAdmin = "config-admin-token";

TEST(Config, FlagsWinOverTheEnvironment) {
  const nlohmann::json body{{"name", std::string(2000, 'n')}};
  ServerProcess env_only({}, {{"ADMIN_TOKEN", kAdmin}, {"BODY_LIMIT_BYTES", "100"}});
  EXPECT_EQ(env_only.client(kAdmin).post("/workspaces", body).status, 413) << "the environment applies";
  ServerProcess both({"--body-limit", "1000000", "--admin-token", "flag-admin-token"},
                     {{"ADMIN_TOKEN", kAdmin}, {"BODY_LIMIT_BYTES", "100"}});
  EXPECT_NE(both.client("flag-admin-token").post("/workspaces", body).status, 413) << "the flag wins";
  EXPECT_EQ(both.client(kAdmin).get("/workspaces").status, 401) << "the environment's admin token lost to the flag";
}

TEST(Config, TheSettingsFileSitsBetweenFlagsAndTheEnvironment) {
  TempDir dir;
  const std::string file = dir.path() + "/settings.toml";
  std::ofstream(file) << "body-limit = 100\ncors-origins = [\"https://canvas.example.com\"]\n";
  const nlohmann::json body{{"name", std::string(2000, 'n')}};
  ServerProcess from_file({"--config", file}, {{"ADMIN_TOKEN", kAdmin}, {"BODY_LIMIT_BYTES", "1000000"}});
  auto c = from_file.client(kAdmin);
  EXPECT_EQ(c.post("/workspaces", body).status, 413) << "the file wins over the environment";
  EXPECT_EQ(c.request("GET", "/health", "", {{"Origin", "https://canvas.example.com"}}).status, 200) << "a list setting";
  ServerProcess flag_wins({"--config", file, "--body-limit", "1000000"}, {{"ADMIN_TOKEN", kAdmin}});
  EXPECT_NE(flag_wins.client(kAdmin).post("/workspaces", body).status, 413) << "the flag wins over the file";
  std::ofstream(file) << "body-limit = 100\nbody-limits = 7\n";
  EXPECT_THROW(ServerProcess({"--config", file}, {{"ADMIN_TOKEN", kAdmin}}), std::runtime_error) << "a misspelt setting";
}

TEST(Config, CorsOriginsAndAllowedHostsComeFromTheEnvironment) {
  ServerProcess server({}, {{"ADMIN_TOKEN", kAdmin},
                            {"CORS_ORIGINS", "https://canvas.example.com,http://localhost:4000"},
                            {"ALLOWED_HOSTS", "ws.example.com"}});
  auto c = server.client(kAdmin);
  auto canvas = c.request("GET", "/workspaces", "", {{"Origin", "https://canvas.example.com"}});
  EXPECT_EQ(canvas.status, 200) << canvas.body;
  EXPECT_EQ(canvas.headers["Access-Control-Allow-Origin"], "https://canvas.example.com");
  EXPECT_EQ(c.request("GET", "/workspaces", "", {{"Origin", "http://localhost:4000"}}).status, 200);
  EXPECT_EQ(c.request("GET", "/workspaces", "", {{"Origin", "http://localhost:3000"}}).status, 403)
      << "the list replaces the defaults";
  EXPECT_EQ(c.request("GET", "/health", "", {{"Host", "ws.example.com"}}).status, 200);
  EXPECT_EQ(c.request("GET", "/health", "", {{"Host", "canvas.example.com:443"}}).status, 200)
      << "a CORS origin's host is answered";
  EXPECT_EQ(c.request("GET", "/health", "", {{"Host", "other.example.com"}}).status, 421);
}

TEST(Config, EveryAnswerCarriesTheSecurityHeaders) {
  ServerProcess server({}, {{"ADMIN_TOKEN", kAdmin}});
  auto c = server.client();
  for (const auto& r : {c.get("/health"), c.get("/workspaces"), c.get("/no/such/route")}) {
    EXPECT_EQ(r.headers.at("X-Content-Type-Options"), "nosniff");
    EXPECT_EQ(r.headers.at("X-Frame-Options"), "DENY");
    EXPECT_EQ(r.headers.at("Content-Security-Policy"), "default-src 'self'");
    EXPECT_TRUE(r.headers.count("Referrer-Policy"));
  }
}

TEST(Config, AnUnknownLogLevelIsAnError) {
  try {
    ServerProcess server({}, {{"ADMIN_TOKEN", kAdmin}, {"LOG_LEVEL", "loud"}});
    ADD_FAILURE() << "the server started with LOG_LEVEL=loud";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("log-level"), std::string::npos) << e.what();
  }
}

// A DATABASE_URL that is not PostgreSQL's, malformed or unreachable stops the server at start
// with the reason (and never the password), whichever store the suite runs on.
TEST(Config, ABadDatabaseUrlStopsTheServerWithTheReason) {
  const std::map<std::string, std::string> cases{
      {"mysql://db.internal/ws", "must be a postgres:// or postgresql:// URL"},
      {"postgresql://%zz/ws", "cannot open database"},
      {"postgresql:///ws?host=/nonexistent-dir/run", "cannot open database"},
      {"postgres://ws:s3cret-pw@127.0.0.1:1/ws?connect_timeout=2", "postgres://ws:***@127.0.0.1:1/ws"},
  };
  for (const auto& [url, reason] : cases) {
    try {
      ServerProcess server({"--database-url", url}, {{"ADMIN_TOKEN", kAdmin}});
      ADD_FAILURE() << url << " started";
    } catch (const std::runtime_error& e) {
      const std::string log = e.what();
      EXPECT_NE(log.find(reason), std::string::npos) << url << ": " << log;
      EXPECT_EQ(log.find("s3cret-pw"), std::string::npos) << "the password reached the log: " << log;
    }
  }
}

TEST(Config, TheDatabaseDirectoryIsCreated) {
  TempDir dir;
  const std::string db = dir.path() + "/not/yet/there/workspace.db";
  ServerProcess server({"--db", db}, {{"ADMIN_TOKEN", kAdmin}});
  EXPECT_EQ(server.client().get("/health").status, 200);
  if (server.postgres())  // the database is elsewhere: --db is not used
    EXPECT_FALSE(std::filesystem::exists(dir.path() + "/not")) << "nothing made for an unused --db";
  else
    EXPECT_TRUE(std::ifstream(db).good()) << db;
}

}  // namespace
}  // namespace ws::test
