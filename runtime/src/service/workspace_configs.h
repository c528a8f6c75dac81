#pragma once
// The config document of a workspace (GET/PATCH /workspaces/:id/config): a JSON object the
// canvas keeps per workspace. A patch sets top-level keys and leaves the others; it lives in
// the database only and restarts nothing (the agent's own files are the Files API's).

#include <nlohmann/json.hpp>

#include <cstddef>
#include <string>

#include "ws/record_store.h"

namespace ws {

class WorkspaceConfigs {
 public:
  /// A patch, and the document it builds, stay within this (the reference's 256 KiB).
  static constexpr std::size_t kMaxBytes = 256u << 10;
  /// Objects and arrays nested deeper than this are refused.
  static constexpr std::size_t kMaxDepth = 32;

  explicit WorkspaceConfigs(RecordStore& store) : store_(store) {}

  /// The document; {} when the workspace has none yet.
  Result<nlohmann::json> get(const std::string& workspace_id);
  /// Merges the JSON object `body` into the document. invalid_argument for anything but a JSON
  /// object within the depth limit; too_large past kMaxBytes.
  Result<> patch(const std::string& workspace_id, const std::string& body);

 private:
  RecordStore& store_;
};

}  // namespace ws
