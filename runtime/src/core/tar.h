#pragma once
// In-memory tar archives (libarchive), the unit of file transfer into and out of workspaces on
// every backend: config files at provision, archive read/write, plugins.

#include <string>
#include <string_view>
#include <vector>

#include "ws/errors.h"

namespace ws {

struct TarEntry {
  std::string path;  ///< Relative path inside the archive.
  std::string content;
  unsigned mode = 0644;
  bool directory = false;
};

/// A POSIX (pax) tar with the given entries, in order.
Result<std::string> makeTar(const std::vector<TarEntry>& entries);
/// The regular files and directories of a tar archive.
Result<std::vector<TarEntry>> readTar(std::string_view tar);

/// Entries for a map of relative path -> content: each file plus its parent directories.
std::vector<TarEntry> filesToTarEntries(const std::vector<std::pair<std::string, std::string>>& files);

}  // namespace ws
