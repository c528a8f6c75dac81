#include "service/validation.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

namespace ws {
namespace {

TEST(Validation, WorkspaceText) {
  EXPECT_TRUE(validateWorkspaceText("agent-1", "writes docs", "claude", "langgraph"));
  EXPECT_FALSE(validateWorkspaceText("a\nb", std::nullopt, std::nullopt, std::nullopt));
  EXPECT_FALSE(validateWorkspaceText("ok", "x & y", std::nullopt, std::nullopt));
  EXPECT_FALSE(validateWorkspaceText("ok", std::nullopt, "m\r", std::nullopt));
  EXPECT_TRUE(validateWorkspaceText("ok", std::nullopt, "anthropic:claude-[x]", std::nullopt)) << "model may hold brackets";
  EXPECT_FALSE(validateWorkspaceText(std::string(256, 'n'), std::nullopt, std::nullopt, std::nullopt));
  EXPECT_TRUE(validateWorkspaceText(std::string(255, 'n'), std::nullopt, std::nullopt, std::nullopt));
}

TEST(Validation, WorkspaceDirIsNormalisedUnderTheRoot) {
  namespace fs = std::filesystem;
  const fs::path root = fs::temp_directory_path() / ("ws-dir-root-" + std::to_string(::getpid()));
  fs::create_directories(root / "projects" / "a");
  fs::create_directory_symlink("/", root / "escape");
  const std::string r = root.string();
  EXPECT_EQ(*normaliseWorkspaceDir(r + "/projects/a", r), r + "/projects/a");
  EXPECT_EQ(*normaliseWorkspaceDir(r + "//projects/./a/", r), r + "/projects/a");
  EXPECT_EQ(*normaliseWorkspaceDir(r + "/new/dir", r), r + "/new/dir") << "need not exist yet";
  for (const std::string& bad : {std::string("/"), std::string("/root"), std::string("//etc"), std::string("/./etc"),
                                r + "/../etc", r + "/projects/../../etc", r + "/escape/etc", r + "/escape",
                                std::string("relative"), r + "x"}) {
    EXPECT_FALSE(normaliseWorkspaceDir(bad, r)) << bad;
  }
  EXPECT_EQ(normaliseWorkspaceDir(r + "/projects/a", "").error().code, Errc::forbidden) << "no root: no host mounts";
  fs::remove_all(root);
}

TEST(Validation, WorkspaceAccess) {
  EXPECT_TRUE(validateWorkspaceAccess("", false));
  EXPECT_TRUE(validateWorkspaceAccess("none", false));
  EXPECT_TRUE(validateWorkspaceAccess("read_only", true));
  EXPECT_FALSE(validateWorkspaceAccess("read_only", false));
  EXPECT_FALSE(validateWorkspaceAccess("admin", true));
}

TEST(Validation, AgentUrls) {
  const UrlPolicy strict{};
  const UrlPolicy local{true, false};
  EXPECT_FALSE(validateAgentUrl("http://localhost:8000", strict)) << "localhost is loopback";
  EXPECT_TRUE(validateAgentUrl("http://localhost:8000", local));
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

// The IANA special-purpose registries, and the IPv6 forms that carry an IPv4 address.
TEST(Validation, SpecialPurposeAddresses) {
  const UrlPolicy strict{};
  for (const char* bad : {"0.1.2.3", "127.0.0.1", "10.0.0.1", "100.64.0.1", "169.254.169.254", "172.16.0.1",
                          "192.0.0.8", "192.0.2.1", "192.88.99.1", "192.168.0.1", "198.18.0.1", "198.51.100.1",
                          "203.0.113.1", "224.0.0.1", "240.0.0.1", "255.255.255.255", "::", "::1",
                          "::ffff:127.0.0.1", "::ffff:169.254.169.254", "::127.0.0.1", "64:ff9b::a9fe:a9fe",
                          "64:ff9b:1::1", "2002:7f00:1::", "2002:a9fe:a9fe::1", "2001::1", "2001:db8::1", "100::1",
                          "fc00::1", "fd12::1", "fe80::1", "fec0::1", "ff02::1"}) {
    EXPECT_TRUE(refusedAddress(bad, strict)) << bad;
  }
  for (const char* ok : {"93.184.216.34", "8.8.8.8", "2606:4700::1111", "::ffff:93.184.216.34", "64:ff9b::808:808",
                         "2002:5db8:d822::1"}) {
    EXPECT_FALSE(refusedAddress(ok, strict)) << ok;
  }
  EXPECT_TRUE(refusedAddress("not-an-ip", strict));
  const auto endpoint = resolveAgentUrl("http://93.184.216.34:9000/a2a?x=1", strict);
  ASSERT_TRUE(endpoint);
  EXPECT_EQ(endpoint->addresses, std::vector<std::string>{"93.184.216.34"});
  EXPECT_EQ(endpoint->port, "9000");
  EXPECT_EQ(endpoint->target, "/a2a?x=1");
  EXPECT_FALSE(resolveAgentUrl("http://user:pw@93.184.216.34/", strict)) << "credentials in the URL";
}

}  // namespace
}  // namespace ws
