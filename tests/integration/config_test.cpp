// Configuration precedence: embedded defaults, then the environment (the reference's names),
// then flags.

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace ws::test
