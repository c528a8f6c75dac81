#pragma once
// The hierarchy rule of A2A access: who may talk to whom.

#include <string>

#include "ws/workspace_store.h"

namespace ws {

/// May `caller` talk to `target`? Self, siblings (two roots included), parent and child, and
/// ancestor to descendant.
Result<bool> canCommunicate(WorkspaceStore& store, const std::string& caller, const std::string& target);

}  // namespace ws
