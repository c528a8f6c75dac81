#include "server/router.h"
#include "ws/errors.h"

#include <gtest/gtest.h>

namespace ws {
namespace {

class DenyAdmin : public Authenticator {
 public:
  std::optional<Response> check(AuthPolicy policy, const Request&) override {
    ++checks;
    if (policy == AuthPolicy::admin) return Response::error(Errc::unauthorized, "no");
    return std::nullopt;
  }
  int checks = 0;
};

Request make(const std::string& method, std::vector<std::string> segments) {
  Request r;
  r.method = method;
  r.segments = std::move(segments);
  return r;
}

TEST(Router, BindsParametersAndPrefersLiterals) {
  DenyAdmin auth;
  Router router(auth);
  router.add("GET", "/registry/:id/peers", AuthPolicy::open, [](const Request& r) { return Response::json(200, {{"id", r.param("id")}}); });
  router.add("POST", "/registry/register", AuthPolicy::open, [](const Request&) { return Response::json(200, {{"route", "register"}}); });
  router.add("POST", "/registry/:id", AuthPolicy::open, [](const Request&) { return Response::json(200, {{"route", "param"}}); });

  auto req = make("GET", {"registry", "abc", "peers"});
  EXPECT_EQ(router.handle(req).body, R"({"id":"abc"})");
  req = make("POST", {"registry", "register"});
  EXPECT_EQ(router.handle(req).body, R"({"route":"register"})");
  req = make("POST", {"registry", "other"});
  EXPECT_EQ(router.handle(req).body, R"({"route":"param"})");
}

TEST(Router, AStarSegmentBindsTheRestOfThePath) {
  DenyAdmin auth;
  Router router(auth);
  router.add("GET", "/workspaces/:id/files", AuthPolicy::open, [](const Request&) { return Response::json(200, {{"route", "list"}}); });
  router.add("GET", "/workspaces/:id/files/*path", AuthPolicy::open,
             [](const Request& r) { return Response::json(200, {{"id", r.param("id")}, {"path", r.param("path")}}); });

  auto req = make("GET", {"workspaces", "w1", "files", "notes", "todo.md"});
  EXPECT_EQ(router.handle(req).body, R"({"id":"w1","path":"notes/todo.md"})");
  req = make("GET", {"workspaces", "w1", "files", "a.txt"});
  EXPECT_EQ(router.handle(req).body, R"({"id":"w1","path":"a.txt"})");
  req = make("GET", {"workspaces", "w1", "files"});
  EXPECT_EQ(router.handle(req).body, R"({"route":"list"})") << "the rest must hold at least one segment";
}

TEST(Router, UnknownPathIs404AndWrongMethodIs405) {
  DenyAdmin auth;
  Router router(auth);
  router.add("GET", "/health", AuthPolicy::open, [](const Request&) { return Response::json(200, {}); });
  auto req = make("GET", {"nope"});
  EXPECT_EQ(router.handle(req).status, 404);
  req = make("DELETE", {"health"});
  EXPECT_EQ(router.handle(req).status, 405);
  EXPECT_EQ(auth.checks, 0) << "no auth check for unroutable requests";
}

// The matched pattern (never the raw path) is what logs and metrics name a request by.
TEST(Router, RecordsTheMatchedRoutePattern) {
  DenyAdmin auth;
  Router router(auth);
  router.add("GET", "/workspaces/:id", AuthPolicy::open, [](const Request&) { return Response::json(200, {}); });
  router.add("GET", "/admin/liveness", AuthPolicy::admin, [](const Request&) { return Response::json(200, {}); });
  auto req = make("GET", {"workspaces", "abc"});
  router.handle(req);
  EXPECT_EQ(req.route, "/workspaces/:id");
  req = make("GET", {"admin", "liveness"});
  EXPECT_EQ(router.handle(req).status, 401);
  EXPECT_EQ(req.route, "/admin/liveness") << "refused requests are counted under their route too";
  req = make("GET", {"nope"});
  router.handle(req);
  EXPECT_EQ(req.route, "");
  req = make("DELETE", {"workspaces", "abc"});
  EXPECT_EQ(router.handle(req).status, 405);
  EXPECT_EQ(req.route, "");
}

TEST(Router, AuthDenialShortCircuits) {
  DenyAdmin auth;
  Router router(auth);
  bool ran = false;
  router.add("GET", "/workspaces", AuthPolicy::admin, [&](const Request&) {
    ran = true;
    return Response::json(200, {});
  });
  auto req = make("GET", {"workspaces"});
  EXPECT_EQ(router.handle(req).status, 401);
  EXPECT_FALSE(ran);
}

TEST(Router, RequestTargetsAreDecodedOnce) {
  Request req;
  ASSERT_TRUE(parseRequestTarget("/workspaces/a%2Fb/files?root=%2Fconfigs&x=1&x=2", req));
  EXPECT_EQ(req.segments, (std::vector<std::string>{"workspaces", "a/b", "files"})) << "an encoded '/' stays in its segment";
  EXPECT_EQ(req.query.at("root"), "/configs");
  EXPECT_EQ(req.query.at("x"), "2") << "the last one wins";
  Request bad;
  EXPECT_FALSE(parseRequestTarget("http://elsewhere/x", bad));
  EXPECT_FALSE(parseRequestTarget("/a b", bad));
}

TEST(Router, PlainPathsSplitLikeTheUrlParserSplitsThem) {
  // A plain path takes the short way; one with an escape, the URL parser. Both agree.
  for (const std::string path : {"/", "/workspaces", "/workspaces/abc/a2a", "/a//b/", "/x/(y)/z@w:1"}) {
    Request plain, escaped;
    ASSERT_TRUE(parseRequestTarget(path, plain)) << path;
    ASSERT_TRUE(parseRequestTarget(path + (path.back() == '/' ? "%61" : "/%61"), escaped)) << path;
    auto expected = escaped.segments;
    expected.pop_back();
    if (path.back() == '/' && !expected.empty()) expected.push_back("");
    EXPECT_EQ(plain.segments, expected) << path;
    EXPECT_EQ(plain.path, path);
    EXPECT_EQ(plain.target, path);
  }
  Request bad;
  EXPECT_FALSE(parseRequestTarget("/a\x01b", bad));
  EXPECT_FALSE(parseRequestTarget("/a\"b", bad));
}

TEST(Router, SplitPathDropsEmptySegments) {
  EXPECT_EQ(splitPath("//a/b/"), (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(splitPath("/").empty());
}

TEST(Router, BodyLimitsBelongToOneRoute) {
  DenyAdmin auth;
  Router router(auth);
  router.add("POST", "/workspaces/:id/chat/uploads", AuthPolicy::workspace, [](const Request&) { return Response::json(200, {}); });
  router.add("POST", "/workspaces/:id/activity", AuthPolicy::workspace, [](const Request&) { return Response::json(200, {}); });
  router.add("POST", "/admin/import", AuthPolicy::admin, [](const Request&) { return Response::json(200, {}); });
  router.setBodyLimit("POST", "/workspaces/:id/chat/uploads", 50u << 20);
  router.setBodyLimit("POST", "/admin/import", 8u << 20);
  EXPECT_EQ(router.largestBodyLimit(), 50u << 20);
  auto req = make("POST", {"workspaces", "w1", "chat", "uploads"});
  auto admitted = router.admitBody(req);
  EXPECT_EQ(admitted.limit, 50u << 20);
  EXPECT_FALSE(admitted.refusal);
  EXPECT_EQ(auth.checks, 1) << "the route's policy is asked before any body is read";
  req = make("GET", {"workspaces", "w1", "chat", "uploads"});
  EXPECT_EQ(router.admitBody(req).limit, 0u) << "another method";
  req = make("POST", {"workspaces", "w1", "activity"});
  EXPECT_EQ(router.admitBody(req).limit, 0u) << "another route";
  req = make("POST", {"nowhere"});
  EXPECT_EQ(router.admitBody(req).limit, 0u);
  EXPECT_EQ(auth.checks, 1) << "routes without a limit of their own are not asked";
  req = make("POST", {"admin", "import"});
  admitted = router.admitBody(req);
  EXPECT_EQ(admitted.limit, 0u) << "a refused caller gets the server's limit";
  ASSERT_TRUE(admitted.refusal);
  EXPECT_EQ(admitted.refusal->status, 401);
  EXPECT_STREQ(policyName(AuthPolicy::canvas), "canvas");
}

}  // namespace
}  // namespace ws
