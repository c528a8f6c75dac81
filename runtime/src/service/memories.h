#pragma once
// The rules of a memory (runtime-spec 6.3 "Memories"): scope, size, redaction before storage,
// and the namespace it lands in.

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>
#include <vector>

#include "ws/record_store.h"
#include "ws/workspace.h"

namespace ws {

/// At most this many characters in a memory's namespace, and bytes in its content.
inline constexpr std::size_t kMaxMemoryNamespace = 50;
inline constexpr std::size_t kMaxMemoryContent = 100000;

/// A memory of `w`, ready to store: scope upper-cased (LOCAL when empty; LOCAL, TEAM or GLOBAL),
/// content truncated to 100000 bytes and redacted, "[MEMORY " defanged in GLOBAL ones, the
/// workspace's awareness namespace when `ns` is empty.
Result<MemoryRecord> makeMemory(const Workspace& w, std::string_view content, std::string scope, std::string ns);
/// The `initial_memories` of a create request as memories of `w` (invalid_argument when malformed).
Result<std::vector<MemoryRecord>> initialMemories(const Workspace& w, const nlohmann::json& list);

}  // namespace ws
