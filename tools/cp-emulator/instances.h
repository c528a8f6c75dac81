#pragma once
// Emulated cloud instances: each is a process tree chroot'ed into its own copy of the
// workspace root filesystem, bound to its own loopback address (standing in for a private IP),
// booted by running the template's install.sh as user-data, with its output kept as the
// serial console.

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "ws/errors.h"
#include "ws/provisioner.h"

namespace cpemu {

struct Instance {
  std::string instance_id;  ///< i- + 17 hex digits
  std::string workspace_id;
  std::string org_id;
  std::string private_ip;
  std::string state;  ///< pending, running, shutting-down, terminated, stopped
  pid_t pid = -1;
  std::filesystem::path root;
  std::filesystem::path console;
  std::chrono::steady_clock::time_point launched;
};

struct ProvisionRequest {
  std::string org_id;
  std::string workspace_id;
  std::string runtime;
  int tier = 2;
  std::string platform_url;
  std::map<std::string, std::string> env;
  std::map<std::string, std::string> config_files;
};

class InstanceManager {
 public:
  /// `base_rootfs`: the root filesystem every instance copies; `user_data`: the boot script.
  InstanceManager(std::filesystem::path data_dir, std::filesystem::path base_rootfs, std::string user_data,
                  std::chrono::milliseconds boot_delay);
  ~InstanceManager();

  ws::Result<Instance> provision(const ProvisionRequest& r);
  /// Terminates one instance, or every live instance of the workspace when `instance_id` is empty.
  ws::Result<std::vector<Instance>> terminate(const std::string& workspace_id, const std::string& instance_id);
  ws::Result<Instance> find(const std::string& workspace_id, const std::string& instance_id);
  /// Kills the process tree of the workspace's live instance and leaves the instance, which
  /// the reaper then marks stopped (a crash, for tests).
  ws::Result<> crash(const std::string& workspace_id);
  /// The console of the workspace's most recent instance.
  ws::Result<std::string> console(const std::string& workspace_id);
  ws::Result<ws::ExecResult> exec(const std::string& workspace_id, const std::string& instance_id,
                                  const std::vector<std::string>& argv, const std::string& stdin_data);
  ws::Result<std::string> readArchive(const std::string& workspace_id, const std::string& instance_id,
                                      const std::string& path);
  ws::Result<> writeArchive(const std::string& workspace_id, const std::string& instance_id, const std::string& path,
                            const std::string& tar);
  /// /bin/sh on a pseudo-terminal inside the instance.
  ws::Result<ws::TerminalPtr> openTerminal(const std::string& workspace_id, const std::string& instance_id);
  std::vector<Instance> list(const std::string& org_id);

 private:
  ws::Result<Instance> live(const std::string& workspace_id, const std::string& instance_id);
  /// `path` inside the instance, refusing anything that escapes its root.
  ws::Result<std::filesystem::path> inside(const Instance& i, const std::string& path);
  void reap();

  std::filesystem::path data_dir_;
  std::filesystem::path base_rootfs_;
  std::string user_data_;
  std::chrono::milliseconds boot_delay_;
  std::mutex mutex_;
  /// Held while files are written and while forking: a child forked mid-write would inherit
  /// the open file and make the agent binary "text file busy" for its sibling.
  std::mutex spawn_mutex_;
  std::map<std::string, Instance> instances_;
  unsigned next_ip_ = 1;
  bool stopping_ = false;
  std::thread reaper_;
};

}  // namespace cpemu
