#include "core/tar.h"

#include <archive.h>
#include <archive_entry.h>

#include <memory>
#include <set>

namespace ws {
namespace {

using ArchivePtr = std::unique_ptr<archive, int (*)(archive*)>;
using EntryPtr = std::unique_ptr<archive_entry, void (*)(archive_entry*)>;

Error archiveError(archive* a, const char* what) {
  const char* msg = archive_error_string(a);
  return makeError(Errc::invalid_argument, std::string(what) + ": " + (msg ? msg : "malformed archive"));
}

}  // namespace

Result<std::string> makeTar(const std::vector<TarEntry>& entries) {
  // Declared before the archive: freeing an archive that was not closed (an early return)
  // flushes what it buffered into `out`, which must still be alive then.
  std::string out;
  ArchivePtr a(archive_write_new(), archive_write_free);
  archive_write_set_format_pax_restricted(a.get());
  archive_write_set_bytes_per_block(a.get(), 0);  // no padding to 10 KiB blocks
  struct Sink {
    static la_ssize_t write(archive*, void* data, const void* buf, size_t n) {
      static_cast<std::string*>(data)->append(static_cast<const char*>(buf), n);
      return static_cast<la_ssize_t>(n);
    }
  };
  if (archive_write_open(a.get(), &out, nullptr, &Sink::write, nullptr) != ARCHIVE_OK)
    return archiveError(a.get(), "tar");
  for (const auto& e : entries) {
    EntryPtr entry(archive_entry_new(), archive_entry_free);
    archive_entry_set_pathname(entry.get(), e.path.c_str());
    archive_entry_set_filetype(entry.get(), e.directory ? AE_IFDIR : AE_IFREG);
    archive_entry_set_perm(entry.get(), e.mode);
    archive_entry_set_size(entry.get(), e.directory ? 0 : static_cast<la_int64_t>(e.content.size()));
    archive_entry_set_mtime(entry.get(), 0, 0);
    if (archive_write_header(a.get(), entry.get()) != ARCHIVE_OK) return archiveError(a.get(), "tar header");
    if (!e.directory && !e.content.empty() &&
        archive_write_data(a.get(), e.content.data(), e.content.size()) < 0)
      return archiveError(a.get(), "tar data");
  }
  if (archive_write_close(a.get()) != ARCHIVE_OK) return archiveError(a.get(), "tar close");
  return out;
}

Result<std::vector<TarEntry>> readTar(std::string_view tar) {
  ArchivePtr a(archive_read_new(), archive_read_free);
  archive_read_support_format_tar(a.get());
  if (archive_read_open_memory(a.get(), tar.data(), tar.size()) != ARCHIVE_OK) return archiveError(a.get(), "tar");
  std::vector<TarEntry> out;
  archive_entry* entry = nullptr;
  int rc = ARCHIVE_OK;
  while ((rc = archive_read_next_header(a.get(), &entry)) == ARCHIVE_OK) {
    TarEntry e;
    e.path = archive_entry_pathname(entry);
    while (e.path.size() > 1 && e.path.back() == '/') e.path.pop_back();
    e.mode = archive_entry_perm(entry) & 07777;  // a header may carry bits that are no permission
    e.directory = archive_entry_filetype(entry) == AE_IFDIR;
    if (archive_entry_filetype(entry) == AE_IFREG) {
      char buf[65536];
      la_ssize_t n = 0;
      while ((n = archive_read_data(a.get(), buf, sizeof buf)) > 0) e.content.append(buf, static_cast<std::size_t>(n));
      if (n < 0) return archiveError(a.get(), "tar data");
    } else if (!e.directory) {
      continue;  // links and devices are not transferred
    }
    out.push_back(std::move(e));
  }
  if (rc != ARCHIVE_EOF) return archiveError(a.get(), "tar");
  return out;
}

std::vector<TarEntry> filesToTarEntries(const std::vector<std::pair<std::string, std::string>>& files) {
  std::vector<TarEntry> out;
  std::set<std::string> dirs;
  for (const auto& [path, content] : files) {
    for (auto pos = path.find('/'); pos != std::string::npos; pos = path.find('/', pos + 1)) {
      const std::string dir = path.substr(0, pos);
      if (dirs.insert(dir).second) out.push_back(TarEntry{dir, "", 0755, true});
    }
    // Credentials are readable by their owner only.
    const bool secret = path == ".auth_token" || path.ends_with("/.auth_token");
    out.push_back(TarEntry{path, content, secret ? 0600u : 0644u, false});
  }
  return out;
}

}  // namespace ws
