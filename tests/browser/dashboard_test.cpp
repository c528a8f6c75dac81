// The dashboard in a real browser: the real server on the control-plane backend (cp-emulator,
// no Docker: its instances run workspace-agent, which answers A2A with an echo), and
// tests/browser/dashboard.mjs driving Debian's chromium through playwright-core against it.
// setup.sh (the browser.setup fixture) installs playwright-core into the build directory.

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>

#include "support/server_process.h"

namespace ws::test {
namespace {

const std::string kAdmin = "browser-admin-token";
const std::string kCpSecret = "browser-cp-secret";

std::string quoted(const std::string& s) { return "'" + s + "'"; }

TEST(BrowserDashboard, APersonCanRunWorkspacesFromThePage) {
  CpEmulatorProcess cp(kCpSecret, kAdmin);
  ServerProcess server({"--backend", "controlplane", "--org-id", "org-browser", "--cp-url", cp.url(), "--cp-shared-secret",
                        kCpSecret, "--templates-dir", WS_TEMPLATES_DIR},
                       {{"ADMIN_TOKEN", kAdmin}});
  // DASHBOARD_SCREENSHOT=docs/dashboard.png refreshes the picture in the docs.
  const char* shot_override = std::getenv("DASHBOARD_SCREENSHOT");
  const std::string shot = shot_override ? shot_override : WS_BROWSER_RESULTS "/dashboard.png";
  std::filesystem::create_directories(WS_BROWSER_RESULTS);
  const std::string cmd = "DASHBOARD_URL=" + quoted("http://127.0.0.1:" + std::to_string(server.port()) + "/") +
                          " ADMIN_TOKEN=" + quoted(kAdmin) + " PLAYWRIGHT_DIR=" + quoted(WS_BROWSER_DEPS) +
                          " SCREENSHOT=" + quoted(shot) + " node " + quoted(WS_BROWSER_SCRIPT);
  const int status = std::system(cmd.c_str());
  ASSERT_TRUE(WIFEXITED(status)) << cmd;
  EXPECT_EQ(WEXITSTATUS(status), 0) << "the browser run failed (its output is above): " << cmd;
}

}  // namespace
}  // namespace ws::test
