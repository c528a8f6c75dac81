#include "service/chat_files.h"

#include <array>
#include <cctype>
#include <utility>

#include "core/tar.h"
#include "core/util.h"
#include "parity/parity.h"

namespace ws {
namespace {

constexpr std::size_t kMaxNameBytes = 100;
constexpr std::size_t kMaxExtBytes = 16;

// The types a chat shows or previews; anything else downloads as application/octet-stream.
constexpr std::array<std::pair<std::string_view, std::string_view>, 32> kMimeTypes{{
    {"txt", "text/plain; charset=utf-8"}, {"md", "text/markdown; charset=utf-8"}, {"csv", "text/csv; charset=utf-8"},
    {"log", "text/plain; charset=utf-8"}, {"html", "text/html; charset=utf-8"}, {"htm", "text/html; charset=utf-8"},
    {"css", "text/css; charset=utf-8"},   {"js", "text/javascript; charset=utf-8"}, {"json", "application/json"},
    {"xml", "application/xml"},           {"yaml", "application/yaml"},          {"yml", "application/yaml"},
    {"pdf", "application/pdf"},           {"zip", "application/zip"},            {"gz", "application/gzip"},
    {"tar", "application/x-tar"},         {"png", "image/png"},                  {"jpg", "image/jpeg"},
    {"jpeg", "image/jpeg"},               {"gif", "image/gif"},                  {"webp", "image/webp"},
    {"svg", "image/svg+xml"},             {"ico", "image/x-icon"},               {"mp3", "audio/mpeg"},
    {"wav", "audio/wav"},                 {"ogg", "audio/ogg"},                  {"mp4", "video/mp4"},
    {"webm", "video/webm"},               {"py", "text/x-python; charset=utf-8"}, {"sh", "text/x-shellscript; charset=utf-8"},
    {"docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
    {"xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
}};

bool safeChar(unsigned char c) { return std::isalnum(c) || c == '.' || c == '_' || c == '-'; }

std::string_view extension(std::string_view name) {
  const auto dot = name.rfind('.');
  return dot == std::string_view::npos ? std::string_view() : name.substr(dot);
}

}  // namespace

std::string ChatFiles::sanitizeFilename(std::string_view name) {
  while (!name.empty() && (name.back() == '/' || name.back() == '\\')) name.remove_suffix(1);
  if (const auto slash = name.find_last_of("/\\"); slash != std::string_view::npos) name.remove_prefix(slash + 1);
  std::string out;
  for (unsigned char c : name) {
    if ((c & 0xC0) == 0x80) continue;  // a UTF-8 continuation: one character, one '_'
    out += safeChar(c) ? static_cast<char>(c) : '_';
  }
  if (out.size() > kMaxNameBytes) {
    std::string ext(extension(out));
    if (ext.size() > kMaxExtBytes) ext.clear();
    out = out.substr(0, kMaxNameBytes - ext.size()) + ext;
  }
  if (out.empty() || out == "." || out == "..") return "file";
  return out;
}

Result<> ChatFiles::checkDownloadPath(std::string_view path) {
  if (path.empty() || path.front() != '/') return makeError(Errc::invalid_argument, "path must be absolute");
  bool rooted = false;
  for (auto root : kWorkspaceRoots)
    rooted |= path == root || (path.size() > root.size() && path.substr(0, root.size()) == root && path[root.size()] == '/');
  if (!rooted) return makeError(Errc::invalid_argument, "path must be under /configs, /workspace, /home, or /plugins");
  // Canonical: no empty, "." or ".." segments (a name like "v1..2.txt" is fine), no control
  // characters.
  if (!isSafeRelativePath(path.substr(1))) return makeError(Errc::invalid_argument, "invalid path");
  return {};
}

std::string ChatFiles::mimeTypeFor(std::string_view name) {
  auto ext = extension(name);
  if (ext.empty()) return "";
  std::string lower;
  for (unsigned char c : ext.substr(1)) lower += static_cast<char>(std::tolower(c));
  for (const auto& [e, type] : kMimeTypes)
    if (e == lower) return std::string(type);
  return "";
}

Result<> ChatFiles::ready(const Workspace& w) const {
  if (!workspaces_.hasProvisioner()) return makeError(Errc::backend_unavailable, "no workspace backend is configured");
  if (!isServing(w.status)) return makeError(Errc::conflict, "workspace is not running");
  return {};
}

Result<std::vector<StagedFile>> ChatFiles::upload(const Workspace& w, const std::vector<ChatUpload>& files) {
  PARITY_IMPL(chat_files, docker, "mkdir and rm through execAuto, then a tar through writeArchiveAuto");
  PARITY_IMPL(chat_files, swarm, "mkdir and rm through execAuto, then a tar through writeArchiveAuto");
  PARITY_IMPL(chat_files, controlplane, "mkdir and rm through execAuto, then a tar through writeArchiveAuto");
  if (files.empty()) return makeError(Errc::invalid_argument, "expected at least one 'files' field");
  for (const auto& f : files)
    if (f.content.size() > kMaxFileBytes)
      return makeError(Errc::too_large, f.filename + " exceeds per-file limit (" + std::to_string(kMaxFileBytes >> 20) + " MB)");
  if (auto ok = ready(w); !ok) return ok.error();

  const std::string dir(kUploadDir);
  std::vector<TarEntry> entries;
  std::vector<StagedFile> staged;
  // mkdir -p, then remove whatever sits at the new names (a link planted by the agent would
  // otherwise redirect the write); the random prefix makes a clash all but impossible anyway.
  std::vector<std::string> argv{"sh", "-c", "mkdir -p -- \"$1\" && cd -- \"$1\" && shift && rm -f -- \"$@\"", "chat-upload", dir};
  for (const auto& f : files) {
    const std::string name = sanitizeFilename(f.filename);
    std::string id = newUuid();
    std::erase(id, '-');
    const std::string stored = id + "-" + name;
    argv.push_back(stored);
    entries.push_back(TarEntry{stored, std::string(f.content), 0644, false});
    staged.push_back(StagedFile{"workspace:" + dir + "/" + stored, name,
                                f.content_type.empty() ? mimeTypeFor(name) : f.content_type, f.content.size()});
  }
  auto prepared = workspaces_.execAuto(w.id, argv, "");
  if (!prepared) return prepared.error();
  if (prepared->exit_code != 0) return makeError(Errc::internal, "failed to stage files in workspace");
  auto tar = makeTar(entries);
  if (!tar) return tar.error();
  if (auto written = workspaces_.writeArchiveAuto(w.id, dir, *tar); !written) return written.error();
  return staged;
}

Result<ChatDownload> ChatFiles::download(const Workspace& w, const std::string& path) {
  if (auto ok = checkDownloadPath(path); !ok) return ok.error();
  if (auto ok = ready(w); !ok) return ok.error();
  auto tar = workspaces_.readArchiveAuto(w.id, path);
  if (!tar) return tar.error().code == Errc::not_found ? makeError(Errc::not_found, "file not found") : tar.error();
  auto entries = readTar(*tar);
  if (!entries) return entries.error();
  if (entries->size() != 1 || entries->front().directory) return makeError(Errc::invalid_argument, "path is not a regular file");
  std::string name(path.substr(path.rfind('/') + 1));
  std::string type = mimeTypeFor(name);
  return ChatDownload{std::move(name), type.empty() ? "application/octet-stream" : std::move(type),
                      std::move(entries->front().content)};
}

}  // namespace ws
