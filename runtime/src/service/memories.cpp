#include "service/memories.h"

#include "core/redact.h"
#include "core/util.h"
#include "parity/parity.h"

namespace ws {
using nlohmann::json;

Result<MemoryRecord> makeMemory(const Workspace& w, std::string_view content, std::string scope, std::string ns) {
  PARITY_IMPL(secrets_redaction, docker, "redactSecrets on every memory write and seed, before storage");
  PARITY_IMPL(secrets_redaction, swarm, "redactSecrets on every memory write and seed, before storage");
  PARITY_IMPL(secrets_redaction, controlplane, "redactSecrets on every memory write and seed, before storage");
  for (auto& ch : scope) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  if (scope.empty()) scope = "LOCAL";
  if (scope != "LOCAL" && scope != "TEAM" && scope != "GLOBAL")
    return makeError(Errc::invalid_argument, "scope must be LOCAL, TEAM or GLOBAL");
  std::string text = redactSecrets(content.substr(0, kMaxMemoryContent));
  // A global memory must not be able to forge another one's frame.
  if (scope == "GLOBAL")
    for (std::size_t at = 0; (at = text.find("[MEMORY ", at)) != std::string::npos; at += 9) text.replace(at, 8, "[_MEMORY ");
  return MemoryRecord{newUuid(), w.id, std::move(text), scope, ns.empty() ? w.awareness_namespace : ns, nowTime()};
}

Result<std::vector<MemoryRecord>> initialMemories(const Workspace& w, const json& list) {
  PARITY_IMPL(memory_seed, docker, "stored with the workspace row at create, before the backend starts it");
  PARITY_IMPL(memory_seed, swarm, "stored with the workspace row at create, before the backend starts it");
  PARITY_IMPL(memory_seed, controlplane, "stored with the workspace row at create, before the backend starts it");
  std::vector<MemoryRecord> out;
  if (list.is_null()) return out;
  if (!list.is_array()) return makeError(Errc::invalid_argument, "initial_memories must be an array");
  for (const auto& item : list) {
    if (!item.is_object() || !item.contains("content") || !item["content"].is_string())
      return makeError(Errc::invalid_argument, "each initial memory needs a string content");
    const std::string scope = item.contains("scope") && item["scope"].is_string() ? item["scope"].get<std::string>() : "";
    const std::string ns = item.contains("namespace") && item["namespace"].is_string() ? item["namespace"].get<std::string>() : "";
    if (ns.size() > kMaxMemoryNamespace) return makeError(Errc::invalid_argument, "namespace is at most 50 characters");
    auto m = makeMemory(w, item["content"].get_ref<const std::string&>(), scope, ns);
    if (!m) return m.error();
    out.push_back(std::move(*m));
  }
  return out;
}

}  // namespace ws
