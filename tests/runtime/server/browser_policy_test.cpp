#include "server/browser_policy.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace ws {
namespace {

Request browserRequest(std::string method, std::string host, std::optional<std::string> origin) {
  Request r;
  r.method = std::move(method);
  r.headers["host"] = std::move(host);
  if (origin) r.headers["origin"] = *origin;
  return r;
}

std::optional<std::string> header(const Response& res, const std::string& name) {
  auto it = std::find_if(res.headers.begin(), res.headers.end(), [&](const auto& h) { return h.first == name; });
  return it == res.headers.end() ? std::nullopt : std::optional<std::string>(it->second);
}

ServerConfig withOrigins(std::vector<std::string> origins) {
  ServerConfig c;
  c.cors_origins = std::move(origins);
  return c;
}

TEST(BrowserPolicy, AnswersToAddressesLocalhostAndConfiguredNamesOnly) {
  ServerConfig c;
  c.platform_url = "https://ws.example.com:8443/";
  c.allowed_hosts = {"Api.Example.org"};
  const BrowserPolicy p(c);
  for (const char* ok : {"127.0.0.1:8080", "[::1]:8080", "10.0.0.7", "localhost:8080", "app.localhost", "LOCALHOST",
                         "ws.example.com", "api.example.org:80", "host.docker.internal:8080", "localhost:3000", ""})
    EXPECT_TRUE(p.answersToHost(ok)) << ok;
  for (const char* bad : {"evil.example", "evil.example:8080", "localhost.evil.example", "127.0.0.1.nip.io", "example.com"})
    EXPECT_FALSE(p.answersToHost(bad)) << bad;
  ServerConfig any;
  any.allowed_hosts = {"*"};
  EXPECT_TRUE(BrowserPolicy(any).answersToHost("evil.example"));
}

TEST(BrowserPolicy, ForeignHostIsMisdirected) {
  const BrowserPolicy p{ServerConfig{}};
  auto screened = p.screen(browserRequest("GET", "rebound.evil.example:8080", std::nullopt));
  ASSERT_TRUE(screened);
  EXPECT_EQ(screened->status, 421);
  EXPECT_FALSE(p.screen(browserRequest("GET", "127.0.0.1:8080", std::nullopt)));
}

TEST(BrowserPolicy, PreflightFromAnAllowedOrigin) {
  const BrowserPolicy p{ServerConfig{}};  // the reference's defaults: localhost:3000 and :3001
  const auto req = browserRequest("OPTIONS", "127.0.0.1:8080", "http://localhost:3000");
  auto preflight = p.screen(req);
  ASSERT_TRUE(preflight);
  EXPECT_EQ(preflight->status, 204);
  p.decorate(req, *preflight);
  EXPECT_EQ(header(*preflight, "Access-Control-Allow-Origin"), "http://localhost:3000");
  EXPECT_EQ(header(*preflight, "Access-Control-Allow-Credentials"), "true");
  EXPECT_EQ(header(*preflight, "Access-Control-Allow-Methods"), "GET,POST,PUT,PATCH,DELETE,OPTIONS");
  EXPECT_EQ(header(*preflight, "Access-Control-Allow-Headers"), "Origin,Content-Type,X-Workspace-Id,Authorization");
}

TEST(BrowserPolicy, CrossSiteOriginsOutsideTheListAreRefused) {
  const BrowserPolicy p{ServerConfig{}};
  for (const char* method : {"GET", "POST", "OPTIONS"}) {
    auto screened = p.screen(browserRequest(method, "127.0.0.1:8080", "http://evil.example"));
    ASSERT_TRUE(screened) << method;
    EXPECT_EQ(screened->status, 403) << method;
  }
  auto req = browserRequest("GET", "127.0.0.1:8080", "http://localhost:3001");
  EXPECT_FALSE(p.screen(req)) << "an allowed origin proceeds to the route";
  Response res;
  p.decorate(req, res);
  EXPECT_EQ(header(res, "Access-Control-Allow-Origin"), "http://localhost:3001");
  EXPECT_EQ(header(res, "Vary"), "Origin");
}

TEST(BrowserPolicy, SameOriginNeedsNoCorsHeaders) {
  const BrowserPolicy p{ServerConfig{}};
  auto req = browserRequest("POST", "localhost:8080", "http://localhost:8080");
  EXPECT_FALSE(p.screen(req));
  Response res;
  p.decorate(req, res);
  EXPECT_FALSE(header(res, "Access-Control-Allow-Origin"));
}

TEST(BrowserPolicy, AnyOriginGetsNoCredentials) {
  const BrowserPolicy p(withOrigins({"*"}));
  auto req = browserRequest("GET", "127.0.0.1", "http://anywhere.example");
  EXPECT_FALSE(p.screen(req));
  Response res;
  p.decorate(req, res);
  EXPECT_EQ(header(res, "Access-Control-Allow-Origin"), "*");
  EXPECT_FALSE(header(res, "Access-Control-Allow-Credentials"));
}

TEST(BrowserPolicy, SecurityHeadersOnEveryAnswerWithoutOverridingAHandler) {
  const BrowserPolicy p{ServerConfig{}};
  const auto req = browserRequest("GET", "127.0.0.1", std::nullopt);
  Response api;
  p.decorate(req, api);
  EXPECT_EQ(header(api, "X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(header(api, "X-Frame-Options"), "DENY");
  EXPECT_EQ(header(api, "Content-Security-Policy"), "default-src 'self'");
  EXPECT_TRUE(header(api, "Referrer-Policy"));
  EXPECT_TRUE(header(api, "Permissions-Policy"));
  EXPECT_TRUE(header(api, "Strict-Transport-Security"));
  Response page;
  page.content_type = "text/html; charset=utf-8";
  page.headers.emplace_back("X-Frame-Options", "SAMEORIGIN");
  p.decorate(req, page);
  EXPECT_EQ(header(page, "X-Frame-Options"), "SAMEORIGIN") << "a handler's own header stays";
  EXPECT_NE(header(page, "Content-Security-Policy")->find("script-src 'self'"), std::string::npos);
}

TEST(BrowserPolicy, APageMayConnectOnlyToItsOwnServer) {
  const BrowserPolicy p{ServerConfig{}};
  Response page;
  page.content_type = "text/html; charset=utf-8";
  p.decorate(browserRequest("GET", "127.0.0.1:8080", std::nullopt), page);
  const std::string csp = *header(page, "Content-Security-Policy");
  EXPECT_NE(csp.find("connect-src 'self' ws://127.0.0.1:8080 wss://127.0.0.1:8080;"), std::string::npos) << csp;
  EXPECT_NE(csp.find("default-src 'self'"), std::string::npos) << csp;
  EXPECT_EQ(csp.find("unsafe"), std::string::npos) << csp;
  EXPECT_EQ(csp.find("ws: "), std::string::npos) << "no WebSocket to any host: " << csp;
  // A Host that would add a directive is left out of the header.
  Response tricked;
  tricked.content_type = "text/html";
  p.decorate(browserRequest("GET", "127.0.0.1:80; script-src *", std::nullopt), tricked);
  const std::string safe = *header(tricked, "Content-Security-Policy");
  EXPECT_NE(safe.find("connect-src 'self';"), std::string::npos) << safe;
  EXPECT_EQ(safe.find('*'), std::string::npos) << safe;
}

TEST(BrowserPolicy, WebSocketsOnlyFromLocalPagesAndListedOrigins) {
  const BrowserPolicy p(withOrigins({"https://canvas.example.com"}));
  EXPECT_TRUE(p.allowsWebSocketFrom(browserRequest("GET", "127.0.0.1:8080", std::nullopt))) << "not a browser";
  for (const char* ok : {"http://localhost:5173", "http://127.0.0.1:9", "https://canvas.example.com", "http://127.0.0.1:8080"})
    EXPECT_TRUE(p.allowsWebSocketFrom(browserRequest("GET", "127.0.0.1:8080", std::string(ok)))) << ok;
  for (const char* bad : {"http://evil.example", "https://canvas.example.com.evil.example", "null"})
    EXPECT_FALSE(p.allowsWebSocketFrom(browserRequest("GET", "127.0.0.1:8080", std::string(bad)))) << bad;
}

TEST(BrowserPolicy, TrustsOnlyItsOwnAndListedPages) {
  BrowserPolicy listed(withOrigins({"https://canvas.example"}));
  EXPECT_TRUE(listed.trustsPage(browserRequest("PUT", "api.example", "https://canvas.example")));
  EXPECT_TRUE(listed.trustsPage(browserRequest("PUT", "api.example", "https://api.example"))) << "same origin";
  EXPECT_FALSE(listed.trustsPage(browserRequest("PUT", "api.example", "https://evil.example")));
  EXPECT_FALSE(listed.trustsPage(browserRequest("PUT", "api.example", std::nullopt))) << "no Origin: not a page";
  EXPECT_FALSE(listed.trustsPage(browserRequest("PUT", "api.example", ""))) << "an empty Origin is no origin";
  BrowserPolicy any(withOrigins({"*"}));
  EXPECT_FALSE(any.trustsPage(browserRequest("PUT", "api.example", "https://evil.example"))) << "'*' grants no credentials";
}

}  // namespace
}  // namespace ws
