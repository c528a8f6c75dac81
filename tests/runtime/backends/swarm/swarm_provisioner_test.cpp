// Request-level tests of the service spec (labels, network, restart policy, tiers, the config
// secret) and the unwired contract. Runs without an engine; the engine-backed behaviour is in
// contract.swarm and tests/integration/swarm_reschedule_test.cpp.

#include "backends/swarm/swarm_provisioner.h"

#include <gtest/gtest.h>

namespace ws::swarm {
namespace {

using nlohmann::json;

const std::string kId = "f3e2b6db-2045-4e69-9912-2511903b5ebf";

WorkspaceConfig config(int tier = 2) {
  WorkspaceConfig c;
  c.workspace_id = kId;
  c.runtime = "langgraph";
  c.tier = tier;
  c.platform_url = "http://127.0.0.1:8080";
  c.env = {{"API_KEY", "k"}};
  return c;
}

json spec(int tier = 2, int cpus = 8) { return serviceSpec(config(tier), SwarmOptions{}, 21234, cpus, "host-net-id", "sec-id", "sec-name"); }

bool hasEnv(const json& s, const std::string& kv) {
  for (const auto& e : s["TaskTemplate"]["ContainerSpec"]["Env"])
    if (e == kv) return true;
  return false;
}

TEST(ServiceSpec, OneReplicaOnTheHostNetworkLabelledWithTheFullId) {
  const json s = spec();
  EXPECT_EQ(s["Name"], "ws-" + kId);
  EXPECT_EQ(s["Mode"]["Replicated"]["Replicas"], 1);
  EXPECT_EQ(s["TaskTemplate"]["Networks"][0]["Target"], "host-net-id");
  EXPECT_FALSE(s.contains("EndpointSpec")) << "no published ports on the host network";
  for (const json& labels : {s["Labels"], s["TaskTemplate"]["ContainerSpec"]["Labels"]}) {
    EXPECT_EQ(labels["molecule.workspace.id"], kId);
    EXPECT_EQ(labels["molecule.platform.managed"], "true");
    EXPECT_EQ(labels["molecule.platform.instance"], "default");
  }
  EXPECT_TRUE(hasEnv(s, "AGENT_PORT=21234"));
  EXPECT_TRUE(hasEnv(s, "AGENT_HOST=127.0.0.1"));
  EXPECT_TRUE(hasEnv(s, "PLATFORM_URL=http://127.0.0.1:8080"));
  EXPECT_TRUE(hasEnv(s, "API_KEY=k"));
}

TEST(ServiceSpec, TheEngineRestartsWhateverEnds) {
  const json policy = spec()["TaskTemplate"]["RestartPolicy"];
  EXPECT_EQ(policy["Condition"], "any");
  EXPECT_LT(policy["Delay"].get<std::int64_t>(), 1'000'000'000) << "back at once, not after the 5 s default";
}

TEST(ServiceSpec, ConfigFilesArriveAsASecretTheEntrypointUnpacks) {
  const json s = spec();
  const json secret = s["TaskTemplate"]["ContainerSpec"]["Secrets"][0];
  EXPECT_EQ(secret["SecretID"], "sec-id");
  EXPECT_EQ(secret["SecretName"], "sec-name");
  EXPECT_EQ(secret["File"]["Mode"], 0400);
  EXPECT_EQ("/run/secrets/" + secret["File"]["Name"].get<std::string>(), kConfigSecretPath);
  EXPECT_TRUE(hasEnv(s, std::string(kConfigFileEnv) + "=" + kConfigSecretPath));
  const json mounts = s["TaskTemplate"]["ContainerSpec"]["Mounts"];
  EXPECT_EQ(mounts[0]["Source"], "ws-" + kId + "-configs");
  EXPECT_EQ(mounts[0]["Target"], "/configs");
  EXPECT_EQ(mounts[0]["VolumeOptions"]["Labels"]["molecule.workspace.id"], kId);
  EXPECT_EQ(mounts[1]["Source"], "ws-" + kId + "-workspace");
}

TEST(ServiceSpec, TiersTakeTheDockerLimitsAndAPlacementConstraint) {
  constexpr std::int64_t kMiB = 1 << 20;
  EXPECT_EQ(spec(2)["TaskTemplate"]["Resources"]["Limits"]["MemoryBytes"], 512 * kMiB);
  EXPECT_EQ(spec(2)["TaskTemplate"]["Resources"]["Limits"]["NanoCPUs"], 1'000'000'000);
  EXPECT_EQ(spec(3)["TaskTemplate"]["Resources"]["Limits"]["MemoryBytes"], 2048 * kMiB);
  EXPECT_EQ(spec(4)["TaskTemplate"]["Resources"]["Limits"]["NanoCPUs"], 4'000'000'000LL);
  EXPECT_EQ(spec(4, 2)["TaskTemplate"]["Resources"]["Limits"]["NanoCPUs"], 2'000'000'000LL) << "capped at the host's CPUs";
  const json constraints = spec(3)["TaskTemplate"]["Placement"]["Constraints"];
  EXPECT_NE(std::find(constraints.begin(), constraints.end(), "node.labels.molecule.tier3!=deny"), constraints.end());
  EXPECT_FALSE(spec(4)["TaskTemplate"]["ContainerSpec"].contains("Privileged")) << "services cannot be privileged";
}

TEST(ServiceSpec, TierOneIsReadOnlyWithoutAWorkspace) {
  const json c = spec(1)["TaskTemplate"]["ContainerSpec"];
  EXPECT_EQ(c["ReadOnly"], true);
  ASSERT_EQ(c["Mounts"].size(), 2u);
  EXPECT_EQ(c["Mounts"][0]["Target"], "/configs");
  EXPECT_EQ(c["Mounts"][1]["Type"], "tmpfs");
  EXPECT_EQ(c["Mounts"][1]["Target"], "/tmp");
}

TEST(ServiceSpec, AHostDirectoryForTheWorkspace) {
  auto c = config();
  c.workspace_path = "/srv/project";
  c.workspace_access = "read_only";
  const json mount = serviceSpec(c, SwarmOptions{}, 1, 1, "n", "s", "s")["TaskTemplate"]["ContainerSpec"]["Mounts"][1];
  EXPECT_EQ(mount["Type"], "bind");
  EXPECT_EQ(mount["Source"], "/srv/project");
  EXPECT_EQ(mount["ReadOnly"], true);
}

TEST(SwarmProvisioner, UnwiredClientAnswersBackendUnavailable) {
  SwarmProvisioner p(nullptr, SwarmOptions{});
  EXPECT_EQ(p.name(), "swarm");
  EXPECT_EQ(p.start(config()).error().code, Errc::backend_unavailable);
  EXPECT_EQ(p.stop(kId).error().code, Errc::backend_unavailable);
  auto alive = p.isRunning(kId);
  EXPECT_TRUE(alive.running) << "uncertain means alive";
  EXPECT_EQ(alive.error->code, Errc::backend_unavailable);
  EXPECT_EQ(p.bootLog(kId).error().code, Errc::backend_unavailable);
  EXPECT_EQ(p.exec(kId, {"true"}, "").error().code, Errc::backend_unavailable);
  EXPECT_EQ(p.readArchive(kId, "/").error().code, Errc::backend_unavailable);
  EXPECT_EQ(p.writeArchive(kId, "/", "").error().code, Errc::backend_unavailable);
  EXPECT_EQ(p.openTerminal(kId).error().code, Errc::backend_unavailable);
  EXPECT_EQ(p.listManaged().error().code, Errc::backend_unavailable);
  EXPECT_EQ(p.removeVolumes(kId).error().code, Errc::backend_unavailable);
}

}  // namespace
}  // namespace ws::swarm
