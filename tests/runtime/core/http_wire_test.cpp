#include "core/http_wire.h"

#include <gtest/gtest.h>

namespace ws {
namespace {

TEST(HttpWire, RequestHeadCarriesHostTypeAndLength) {
  EXPECT_EQ(httpRequestHead("POST", "/a2a?x=1", "10.0.0.5:8000", "application/json", {{"X-Trace", "t"}}, 12, true),
            "POST /a2a?x=1 HTTP/1.1\r\nHost: 10.0.0.5:8000\r\nContent-Type: application/json\r\nX-Trace: t\r\n"
            "Content-Length: 12\r\n\r\n");
  EXPECT_EQ(httpRequestHead("GET", "/", "h", "application/json", {}, 0, false),
            "GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
      << "no body: no Content-Type; not kept alive: said so";
}

TEST(HttpWire, ResponseHeadFollowsTheVersionAndTheStatus) {
  EXPECT_EQ(httpResponseHead(200, 11, "application/json", {{"X-Request-Id", "r"}}, 2, true),
            "HTTP/1.1 200 OK\r\nServer: workspace-server\r\nContent-Type: application/json\r\nX-Request-Id: r\r\n"
            "Content-Length: 2\r\n\r\n");
  EXPECT_EQ(httpResponseHead(404, 11, "", {}, 0, false),
            "HTTP/1.1 404 Not Found\r\nServer: workspace-server\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(httpResponseHead(200, 10, "", {}, 0, true),
            "HTTP/1.0 200 OK\r\nServer: workspace-server\r\nContent-Length: 0\r\nConnection: keep-alive\r\n\r\n");
  EXPECT_EQ(httpResponseHead(204, 11, "", {}, 0, true), "HTTP/1.1 204 No Content\r\nServer: workspace-server\r\n\r\n")
      << "a 204 carries no body, so no length";
  EXPECT_FALSE(statusHasBody(304));
  EXPECT_TRUE(statusHasBody(202));
}

TEST(HttpWire, HeadersAreReplacedNotRepeatedAndFramingIsTheMessages) {
  const std::string head = httpResponseHead(
      200, 11, "application/json",
      {{"Vary", "a"}, {"vary", "Origin"}, {"Content-Length", "999"}, {"Connection", "upgrade"}, {"Content-Type", "text/plain"}},
      5, true);
  EXPECT_EQ(head, "HTTP/1.1 200 OK\r\nServer: workspace-server\r\nvary: Origin\r\nContent-Type: text/plain\r\n"
                  "Content-Length: 5\r\n\r\n");
}

TEST(HttpWire, NoValueCanStartAHeaderOfItsOwn) {
  const std::string head = httpResponseHead(200, 11, "", {{"X-Name", "a\r\nSet-Cookie: stolen=1"}}, 0, true);
  EXPECT_EQ(head.find("\r\nSet-Cookie"), std::string::npos);
  EXPECT_NE(head.find("X-Name: a  Set-Cookie: stolen=1\r\n"), std::string::npos);
}

}  // namespace
}  // namespace ws
