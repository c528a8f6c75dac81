// The runtime -> image map: the reference's names on request, one runtime overridden.

#include "backends/backend_factory.h"

#include <gtest/gtest.h>

namespace ws {
namespace {

TEST(RuntimeImages, EveryRuntimeTakesTheDefaultImageUnlessAsked) {
  ServerConfig config;
  EXPECT_TRUE(runtimeImages(config).empty());
  config.runtime_images["hermes"] = "local/hermes:1";
  EXPECT_EQ(runtimeImages(config), (std::map<std::string, std::string>{{"hermes", "local/hermes:1"}}));
}

TEST(RuntimeImages, ReferenceNamesWithOneRuntimeOverridden) {
  ServerConfig config;
  config.runtime_image_pattern = "reference";
  config.runtime_images["claude-code"] = "mine/claude:dev";
  const auto images = runtimeImages(config);
  EXPECT_EQ(images.size(), std::size(kReferenceRuntimes));
  EXPECT_EQ(images.at("langgraph"), "ghcr.io/molecule-ai/workspace-template-langgraph:latest");
  EXPECT_EQ(images.at("gemini-cli"), "ghcr.io/molecule-ai/workspace-template-gemini-cli:latest");
  EXPECT_EQ(images.at("claude-code"), "mine/claude:dev");
  EXPECT_FALSE(images.contains("my-runtime")) << "other runtimes take WORKSPACE_IMAGE";
}

TEST(RuntimeImages, APatternOfOurOwn) {
  ServerConfig config;
  config.runtime_image_pattern = "registry.local/{runtime}-agent:{runtime}";
  EXPECT_EQ(runtimeImages(config).at("autogen"), "registry.local/autogen-agent:autogen");
}

}  // namespace
}  // namespace ws
