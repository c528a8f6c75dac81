#pragma once
// How workspaces and activity rows are rendered in the reference's JSON shape (runtime-spec 6.3).

#include <nlohmann/json.hpp>

#include <optional>
#include <string>

#include "core/json_writer.h"
#include "ws/record_store.h"
#include "ws/workspace.h"

namespace ws {

/// The list shape carries operator fields; the single-workspace read (an open route) omits
/// budget, spend, current task, last error and directory, and adds last_outbound_at. A caller
/// holding the admin token or the workspace's own also gets its current task (`single_owned`).
enum class WorkspaceView { list, single, single_owned };
/// Writes a workspace in the reference's JSON shape.
void writeWorkspaceJson(JsonWriter& out, const Workspace& w, WorkspaceView view);
/// Parses stored JSON text; null when absent or unparsable.
nlohmann::json parseStoredJson(const std::optional<std::string>& text);
/// An activity row as GET /workspaces/:id/activity lists it.
nlohmann::json activityJson(const ActivityRecord& a);

}  // namespace ws
