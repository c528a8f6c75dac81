#include "handlers/validation.h"

#include <gtest/gtest.h>

namespace ws {
namespace {

TEST(Validation, WorkspaceText) {
  EXPECT_FALSE(validateWorkspaceText("agent-1", "writes docs", "claude", "langgraph"));
  EXPECT_TRUE(validateWorkspaceText("a\nb", std::nullopt, std::nullopt, std::nullopt));
  EXPECT_TRUE(validateWorkspaceText("ok", "x & y", std::nullopt, std::nullopt));
  EXPECT_TRUE(validateWorkspaceText("ok", std::nullopt, "m\r", std::nullopt));
  EXPECT_FALSE(validateWorkspaceText("ok", std::nullopt, "anthropic:claude-[x]", std::nullopt)) << "model may hold brackets";
  EXPECT_TRUE(validateWorkspaceText(std::string(256, 'n'), std::nullopt, std::nullopt, std::nullopt));
  EXPECT_FALSE(validateWorkspaceText(std::string(255, 'n'), std::nullopt, std::nullopt, std::nullopt));
}

TEST(Validation, WorkspaceDir) {
  EXPECT_FALSE(validateWorkspaceDir("/home/me/project"));
  EXPECT_FALSE(validateWorkspaceDir("/varnish/ok"));
  EXPECT_TRUE(validateWorkspaceDir("relative"));
  EXPECT_TRUE(validateWorkspaceDir("/home/../etc"));
  EXPECT_TRUE(validateWorkspaceDir("/etc"));
  EXPECT_TRUE(validateWorkspaceDir("/usr/local/x"));
}

TEST(Validation, WorkspaceAccess) {
  EXPECT_FALSE(validateWorkspaceAccess("", false));
  EXPECT_FALSE(validateWorkspaceAccess("none", false));
  EXPECT_FALSE(validateWorkspaceAccess("read_only", true));
  EXPECT_TRUE(validateWorkspaceAccess("read_only", false));
  EXPECT_TRUE(validateWorkspaceAccess("admin", true));
}

TEST(Validation, AgentUrls) {
  const UrlPolicy strict{};
  const UrlPolicy local{true, false};
  EXPECT_TRUE(validateAgentUrl("http://localhost:8000", strict));
  EXPECT_TRUE(validateAgentUrl("https://93.184.216.34/a2a", strict));
  EXPECT_FALSE(validateAgentUrl("http://127.0.0.1:8000", strict));
  EXPECT_TRUE(validateAgentUrl("http://127.0.0.1:8000", local));
  EXPECT_TRUE(validateAgentUrl("http://127.3.4.5:8000", local));
  EXPECT_FALSE(validateAgentUrl("http://[::1]:8000", strict));
  EXPECT_FALSE(validateAgentUrl("http://[::ffff:127.0.0.1]:8000", strict)) << "v4-mapped loopback";
  for (const char* bad : {"ftp://localhost", "localhost:80", "http://169.254.169.254/", "http://100.64.1.1",
                          "http://224.0.0.1", "http://192.168.1.1", "http://10.1.2.3", "http://[fe80::1]",
                          "http://[fd00::1]", "http://[2001:db8::1]", "http://0.0.0.0:80", "http://"}) {
    EXPECT_FALSE(validateAgentUrl(bad, local)) << bad;
  }
  EXPECT_TRUE(validateAgentUrl("http://192.168.1.1", UrlPolicy{false, true}));
}

}  // namespace
}  // namespace ws
