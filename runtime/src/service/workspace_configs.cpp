#include "service/workspace_configs.h"

#include "core/json.h"

namespace ws {

Result<nlohmann::json> WorkspaceConfigs::get(const std::string& workspace_id) {
  auto stored = store_.workspaceConfig(workspace_id);
  if (!stored) return stored.error();
  auto doc = *stored ? parseJsonOr(**stored, nlohmann::json::object()) : nlohmann::json::object();
  if (!doc.is_object()) doc = nlohmann::json::object();
  // json converts to anything, Error included: construct the value explicitly.
  return Result<nlohmann::json>(boost::system::in_place_value, std::move(doc));
}

Result<> WorkspaceConfigs::patch(const std::string& workspace_id, const std::string& body) {
  if (body.size() > kMaxBytes) return makeError(Errc::too_large, "config patch exceeds 256 KiB");
  auto parsed = parseJson(body, JsonLimits{kMaxDepth, kMaxBytes});
  if (!parsed) return parsed.error();
  if (!parsed->is_object()) return makeError(Errc::invalid_argument, "config must be a JSON object");
  return store_.mergeWorkspaceConfig(workspace_id, parsed->dump(), kMaxBytes);
}

}  // namespace ws
