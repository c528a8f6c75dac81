#pragma once
// Bundles (the reference's GET /bundles/export/:id and POST /bundles/import): a workspace and
// its live descendants as one portable JSON document, and that document made into a new tree.
//
// A bundle carries what makes a workspace itself: its identity (name, role, tier, runtime,
// model, template), the files of its /configs (read through the archive dispatcher while it
// runs; the files the server keeps otherwise), its installed plugins, schedules, memories and
// the NAMES of its secrets, never their values. It keeps the reference's fields (system_prompt,
// prompts, skills, sub_workspaces) so that bundles travel between the two servers. Import
// validates the whole tree first, then creates every workspace with fresh ids through
// WorkspaceService::create: all of them or none.

#include <nlohmann/json.hpp>

#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "service/workspace_service.h"
#include "ws/config.h"
#include "ws/errors.h"
#include "ws/store.h"

namespace ws {

struct BundleLimits {
  static constexpr std::size_t kMaxWorkspaces = 100;  ///< In one tree.
  static constexpr int kMaxDepth = 16;
  static constexpr std::size_t kMaxFiles = 200;        ///< Per workspace, as a template.
  static constexpr std::size_t kMaxFileBytes = 4u << 20;  ///< Per workspace, as a template.
  static constexpr std::size_t kMaxSchedules = 100;     ///< Per workspace.
  static constexpr std::size_t kMaxMemories = 1000;     ///< Per workspace.
  static constexpr std::size_t kMaxSecrets = 200;       ///< Names, per workspace.
  static constexpr std::size_t kMaxPlugins = 100;       ///< Per workspace.
  static constexpr std::size_t kMaxBundleBytes = 16u << 20;  ///< The import's body.
};

/// Whether `path` may be a bundle file: a safe relative path that is neither the workspace's
/// credential (.auth_token) nor under plugins/ (delivered from the plugin registry).
bool bundleFilePath(const std::string& path);

/// The /configs files of an archive of /configs (entries named configs/<path>) that a bundle
/// carries: text files only, within the limits; what was left out is added to `warnings`.
std::map<std::string, std::string> bundleFilesFromArchive(const std::string& tar, std::vector<std::string>& warnings);

class Bundles {
 public:
  Bundles(Store& store, WorkspaceService& workspaces, const ServerConfig& config)
      : store_(store), workspaces_(workspaces), config_(config) {}

  /// The bundle of workspace `id` and its live descendants: invalid_argument for a malformed
  /// id, not_found when unknown or removed, too_large beyond the limits.
  Result<nlohmann::json> exportTree(const std::string& id);

  /// Creates the tree of `bundle` anew, as a new root: invalid_argument (naming the first
  /// problem) for a malformed bundle, and then nothing is created. The answer is the
  /// reference's {workspace_id, name, status, children}, with per workspace the secrets it
  /// still needs values for (missing_secrets) and what was left out (warnings).
  Result<nlohmann::json> importTree(const nlohmann::json& bundle);

 private:
  Result<nlohmann::json> exportOne(const Workspace& w, int depth, std::size_t& count);
  /// The files of the workspace's /configs, or the files the server keeps when it is not running.
  std::map<std::string, std::string> configFiles(const Workspace& w, std::vector<std::string>& warnings);

  Store& store_;
  WorkspaceService& workspaces_;
  const ServerConfig& config_;
};

}  // namespace ws
