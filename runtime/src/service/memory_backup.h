#pragma once
// The operators' backup of every memory (the reference's admin memories export/import): a JSON
// list that names workspaces, so that it can be restored after the workspaces were created
// again. Content is redacted on the way out and on the way in, as on every memory write.

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "ws/store.h"

namespace ws {

class MemoryBackup {
 public:
  static constexpr std::size_t kMaxEntries = 10000;
  static constexpr std::size_t kMaxImportBytes = 16u << 20;  ///< The import route's body limit.

  explicit MemoryBackup(Store& store) : store_(store) {}

  /// Every memory of a workspace not removed, oldest first, content redacted.
  Result<std::vector<NamedMemory>> exportAll();

  struct Entry {
    std::string content;
    std::string scope;
    std::string memory_namespace;
    std::string created_at;    ///< RFC 3339; empty: now.
    std::string workspace_name;
    std::string workspace_id;  ///< Preferred over the name when it names a live workspace.
  };
  struct Counts {
    int imported = 0;
    int skipped = 0;  ///< No such workspace (or several of that name), or already there.
    int errors = 0;   ///< Refused: empty content, bad scope, namespace or time stamp.
    int total = 0;
  };
  /// Imports each entry into its workspace unless an equal memory (same content after
  /// redaction, same scope) is there. too_large beyond kMaxEntries entries.
  Result<Counts> import(const std::vector<Entry>& entries);

  /// An RFC 3339 time stamp (any offset, any fraction) in this server's form; nothing if malformed.
  static std::optional<std::string> normalizeTime(const std::string& stamp);

 private:
  Store& store_;
};

}  // namespace ws
