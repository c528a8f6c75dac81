// Request-level tests of the container spec (both network modes, tiers) and the unwired
// contract. Runs without an engine; the engine-backed behaviour is in tests/integration.

#include "backends/docker/docker_provisioner.h"

#include <gtest/gtest.h>

namespace ws::docker {
namespace {

using nlohmann::json;

WorkspaceConfig config(int tier = 2) {
  WorkspaceConfig c;
  c.workspace_id = "0123456789ab-cdef-0123-4567-89abcdef0123";
  c.runtime = "langgraph";
  c.tier = tier;
  c.platform_url = "http://127.0.0.1:8080";
  c.env = {{"API_KEY", "k"}};
  return c;
}

bool hasEnv(const json& spec, const std::string& kv) {
  for (const auto& e : spec["Env"])
    if (e == kv) return true;
  return false;
}

TEST(ContainerSpec, HostNetworkingGivesEachAgentItsOwnPort) {
  DockerOptions o;
  const auto spec = containerSpec(config(), o, 41234, 2);
  EXPECT_EQ(spec["HostConfig"]["NetworkMode"], "host");
  EXPECT_FALSE(spec.contains("ExposedPorts"));
  EXPECT_TRUE(hasEnv(spec, "AGENT_PORT=41234"));
  EXPECT_TRUE(hasEnv(spec, "AGENT_HOST=127.0.0.1"));
  EXPECT_TRUE(hasEnv(spec, "PLATFORM_URL=http://127.0.0.1:8080"));
  EXPECT_TRUE(hasEnv(spec, "WORKSPACE_CONFIG_PATH=/configs"));
  EXPECT_TRUE(hasEnv(spec, "API_KEY=k"));
  EXPECT_EQ(spec["HostConfig"]["RestartPolicy"]["Name"], "unless-stopped");
  EXPECT_EQ(spec["Labels"]["molecule.platform.managed"], "true");
  EXPECT_EQ(spec["Labels"]["molecule.workspace.id"], config().workspace_id);
  EXPECT_EQ(spec["Image"], o.default_image);
}

TEST(ContainerSpec, BridgePublishesOnLoopbackAndReachesTheHostByName) {
  DockerOptions o;
  o.network_mode = "bridge";
  const auto spec = containerSpec(config(), o, 0, 2);
  EXPECT_EQ(spec["HostConfig"]["NetworkMode"], "bridge");
  EXPECT_TRUE(spec["ExposedPorts"].contains("8000/tcp"));
  const auto binding = spec["HostConfig"]["PortBindings"]["8000/tcp"][0];
  EXPECT_EQ(binding["HostIp"], "127.0.0.1");
  EXPECT_EQ(binding["HostPort"], "") << "ephemeral";
  EXPECT_TRUE(hasEnv(spec, "AGENT_PORT=8000"));
  EXPECT_TRUE(hasEnv(spec, "AGENT_HOST=0.0.0.0"));
  EXPECT_TRUE(hasEnv(spec, "PLATFORM_URL=http://host.docker.internal:8080"));
  EXPECT_EQ(spec["HostConfig"]["ExtraHosts"][0], "host.docker.internal:host-gateway");
}

TEST(ContainerSpec, Tiers) {
  DockerOptions o;
  auto t1 = containerSpec(config(1), o, 1, 2)["HostConfig"];
  EXPECT_EQ(t1["Binds"].size(), 1u) << "tier 1 keeps only the config volume";
  EXPECT_EQ(t1["ReadonlyRootfs"], true);
  auto t2 = containerSpec(config(2), o, 1, 2)["HostConfig"];
  EXPECT_EQ(t2["Memory"], 512ll << 20);
  EXPECT_EQ(t2["NanoCpus"], 1'000'000'000ll);
  auto t4 = containerSpec(config(4), o, 1, 2)["HostConfig"];
  EXPECT_EQ(t4["NanoCpus"], 2'000'000'000ll) << "capped at the host's CPUs";
}

TEST(ContainerSpec, PrivilegedTiersOnlyWhenTheOperatorAllowsThem) {
  DockerOptions o;
  o.network_mode = "bridge";
  for (int tier : {3, 4}) {
    auto h = containerSpec(config(tier), o, 1, 2)["HostConfig"];
    EXPECT_FALSE(h.contains("Privileged")) << tier;
    EXPECT_FALSE(h.contains("PidMode")) << tier;
    EXPECT_NE(h["NetworkMode"], "host") << "bridge stays bridge at tier " << tier;
    for (const auto& bind : h["Binds"]) EXPECT_EQ(bind.get<std::string>().find("docker.sock"), std::string::npos);
  }
  o.allow_privileged = true;
  auto t3 = containerSpec(config(3), o, 1, 2)["HostConfig"];
  EXPECT_EQ(t3["Privileged"], true);
  EXPECT_EQ(t3["PidMode"], "host");
  auto t4 = containerSpec(config(4), o, 1, 2)["HostConfig"];
  EXPECT_EQ(t4["NetworkMode"], "host");
  EXPECT_EQ(t4["Binds"].back(), "/var/run/docker.sock:/var/run/docker.sock");
}

TEST(ContainerSpec, WorkspaceMounts) {
  DockerOptions o;
  auto c = config();
  EXPECT_EQ(containerSpec(c, o, 1, 2)["HostConfig"]["Binds"][1], workspaceVolumeName(c.workspace_id) + ":/workspace");
  c.workspace_path = "/srv/project";
  c.workspace_access = "read_only";
  EXPECT_EQ(containerSpec(c, o, 1, 2)["HostConfig"]["Binds"][1], "/srv/project:/workspace:ro");
  c.workspace_access = "none";
  EXPECT_EQ(containerSpec(c, o, 1, 2)["HostConfig"]["Binds"][1], workspaceVolumeName(c.workspace_id) + ":/workspace");
}

TEST(ContainerSpec, RuntimeImages) {
  DockerOptions o;
  o.runtime_images["claude-code"] = "example/claude:1";
  auto c = config();
  c.runtime = "claude-code";
  EXPECT_EQ(containerSpec(c, o, 1, 2)["Image"], "example/claude:1");
  EXPECT_EQ(imageFor(o, "unknown"), o.default_image);
}

TEST(DockerProvisioner, UnwiredClientAnswersBackendUnavailable) {
  DockerProvisioner p(nullptr, DockerOptions{});
  const std::string id = "0123456789ab-cdef";
  EXPECT_EQ(p.start(config()).error().code, Errc::backend_unavailable);
  EXPECT_EQ(p.stop(id).error().code, Errc::backend_unavailable);
  auto alive = p.isRunning(id);
  EXPECT_TRUE(alive.running) << "uncertain means alive";
  EXPECT_EQ(alive.error->code, Errc::backend_unavailable);
  EXPECT_EQ(p.bootLog(id).error().code, Errc::backend_unavailable);
  EXPECT_EQ(p.exec(id, {"true"}, "").error().code, Errc::backend_unavailable);
  EXPECT_EQ(p.readArchive(id, "/").error().code, Errc::backend_unavailable);
  EXPECT_EQ(p.writeArchive(id, "/", "").error().code, Errc::backend_unavailable);
  EXPECT_EQ(p.openTerminal(id).error().code, Errc::backend_unavailable);
  EXPECT_EQ(p.listManaged().error().code, Errc::backend_unavailable);
  EXPECT_EQ(p.removeVolumes(id).error().code, Errc::backend_unavailable);
}

// The full id: two workspaces that share a prefix never share a container.
TEST(DockerNames, DeriveFromTheWholeId) {
  const std::string id = "f3e2b6db-2045-4e69-9912-2511903b5ebf";
  EXPECT_EQ(containerName(id), "ws-f3e2b6db-2045-4e69-9912-2511903b5ebf");
  EXPECT_NE(containerName(id), containerName("f3e2b6db-2045-0000-0000-000000000000"));
  EXPECT_EQ(configVolumeName(id), "ws-f3e2b6db-2045-4e69-9912-2511903b5ebf-configs");
  EXPECT_EQ(workspaceVolumeName(id), "ws-f3e2b6db-2045-4e69-9912-2511903b5ebf-workspace");
}

}  // namespace
}  // namespace ws::docker
