// The built-in dashboard (GET / and GET /assets/<name>) against the real binary: every file the
// page loads is served with its type, a strong ETag and the page's Content-Security-Policy;
// unknown names and path tricks are 404; the API is untouched.

#include <gtest/gtest.h>

#include <regex>
#include <set>

#include "support/server_process.h"

namespace ws::test {
namespace {

using nlohmann::json;

const std::string kAdmin = "dashboard-admin-token";

class Dashboard : public ::testing::Test {
 protected:
  ServerProcess server_{{}, {{"ADMIN_TOKEN", kAdmin}}};
  HttpClient client_ = server_.client();
};

TEST_F(Dashboard, ThePageIsServedOpenWithAStrictPolicy) {
  auto res = client_.get("/");
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(res.headers["Content-Type"], "text/html; charset=utf-8");
  EXPECT_NE(res.body.find("<title>workspace-server</title>"), std::string::npos);
  const std::string csp = res.headers["Content-Security-Policy"];
  EXPECT_NE(csp.find("default-src 'self'"), std::string::npos) << csp;
  EXPECT_NE(csp.find("script-src 'self';"), std::string::npos) << csp;
  EXPECT_NE(csp.find("connect-src 'self' ws://127.0.0.1 wss://127.0.0.1;"), std::string::npos) << csp;
  EXPECT_EQ(csp.find("unsafe"), std::string::npos) << csp;
  EXPECT_EQ(res.headers["X-Frame-Options"], "DENY");
  EXPECT_EQ(res.headers["X-Content-Type-Options"], "nosniff");
  EXPECT_EQ(res.headers["Cache-Control"], "no-cache");
  EXPECT_FALSE(res.headers["ETag"].empty());
}

// Every file index.html names, and every module the scripts import, is embedded and served
// with its type: a file left out of the build fails here, not only in a browser.
TEST_F(Dashboard, EveryFileThePageLoadsIsServedWithItsType) {
  const std::map<std::string, std::string> kTypes{{"js", "text/javascript; charset=utf-8"},
                                                  {"css", "text/css; charset=utf-8"},
                                                  {"svg", "image/svg+xml"},
                                                  {"json", "application/json"}};
  std::set<std::string> pending{"parity.json"}, seen;
  const std::regex kRef(R"re((?:src|href)="/assets/([^"]+)"|from '\./([^']+)')re");
  auto collect = [&](const std::string& text) {
    for (std::sregex_iterator it(text.begin(), text.end(), kRef), end; it != end; ++it)
      pending.insert((*it)[1].matched ? (*it)[1].str() : (*it)[2].str());
  };
  collect(client_.get("/").body);
  while (!pending.empty()) {
    const std::string name = *pending.begin();
    pending.erase(pending.begin());
    if (!seen.insert(name).second) continue;
    auto res = client_.get("/assets/" + name);
    ASSERT_EQ(res.status, 200) << name;
    EXPECT_EQ(res.headers["Content-Type"], kTypes.at(name.substr(name.rfind('.') + 1))) << name;
    EXPECT_EQ(res.headers["Content-Security-Policy"], "default-src 'self'") << name;
    if (name.ends_with(".js")) collect(res.body);
  }
  EXPECT_GE(seen.size(), 8u) << "the page, its modules, its styles, its icon and the matrix";
  EXPECT_TRUE(seen.count("app.js") && seen.count("style.css") && seen.count("live.js"));
}

TEST_F(Dashboard, AnUnchangedFileIsA304) {
  auto first = client_.get("/assets/app.js");
  const std::string etag = first.headers["ETag"];
  ASSERT_EQ(etag.size(), 34u) << etag;  // a quoted 32-digit hash
  auto again = client_.request("GET", "/assets/app.js", "", {{"If-None-Match", etag}});
  EXPECT_EQ(again.status, 304);
  EXPECT_TRUE(again.body.empty());
  EXPECT_EQ(again.headers["ETag"], etag);
  EXPECT_EQ(client_.request("GET", "/assets/app.js", "", {{"If-None-Match", "W/" + etag + ", \"x\""}}).status, 304);
  EXPECT_EQ(client_.request("GET", "/assets/app.js", "", {{"If-None-Match", "\"stale\""}}).status, 200);
  EXPECT_EQ(client_.request("GET", "/", "", {{"If-None-Match", client_.get("/").headers["ETag"]}}).status, 304);
  EXPECT_NE(client_.get("/assets/style.css").headers["ETag"], etag) << "each file has its own tag";
}

TEST_F(Dashboard, TheParityMatrixIsEmbedded) {
  auto res = client_.get("/assets/parity.json");
  ASSERT_EQ(res.status, 200);
  const json m = res.json();
  ASSERT_EQ(m["backends"].size(), 3u) << "docker, controlplane, swarm";
  ASSERT_GT(m["areas"].size(), 3u);
  bool create = false;
  for (const auto& area : m["areas"])
    for (const auto& f : area["features"]) create = create || f["id"] == "workspace_create";
  EXPECT_TRUE(create);
}

TEST_F(Dashboard, UnknownNamesAndPathTricksAre404) {
  for (const char* target :
       {"/assets/nope.js", "/assets/", "/assets", "/assets/..%2findex.html", "/assets/%2e%2e/%2e%2e/CMakeLists.txt",
        "/assets/../../etc/passwd", "/assets/..%2f..%2f..%2fetc%2fpasswd", "/assets/%2e%2e%2fapp.js", "/assets/./app.js",
        "/assets/sub/app.js", "/assets/app.js%00.html", "/assets/APP.JS", "/index.html", "/..%2f", "/%2e%2e/"}) {
    auto res = client_.get(target);
    EXPECT_EQ(res.status, 404) << target << ": " << res.body.substr(0, 100);
    EXPECT_EQ(res.body.find("<html"), std::string::npos) << target;
  }
  EXPECT_EQ(client_.request("POST", "/", "{}").status, 405);
  EXPECT_EQ(client_.request("DELETE", "/assets/app.js").status, 405);
}

TEST_F(Dashboard, TheApiIsUnchanged) {
  EXPECT_EQ(client_.get("/health").json()["status"], "ok");
  EXPECT_EQ(client_.get("/workspaces").status, 401);
  auto listed = client_.get("/workspaces", kAdmin);
  ASSERT_EQ(listed.status, 200);
  EXPECT_TRUE(listed.json().is_array());
  EXPECT_EQ(listed.headers["Content-Security-Policy"], "default-src 'self'");
  EXPECT_EQ(client_.get("/nope").status, 404);
}

}  // namespace
}  // namespace ws::test
