#pragma once
// Files exchanged in a chat (runtime-spec 6.3 "Files API", chat uploads and downloads): what the
// user attaches is staged inside the workspace for the agent to read, and what the agent
// produced is read back, byte for byte. Everything goes through the archive and exec
// dispatchers, so every backend that serves the Files API serves these too.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "service/workspace_service.h"
#include "ws/errors.h"
#include "ws/workspace.h"

namespace ws {

/// A file the user attached.
struct ChatUpload {
  std::string filename;      ///< As the client named it; sanitized before use.
  std::string content_type;  ///< As the client labelled it; may be empty.
  std::string_view content;
};

/// Where an attachment landed: `uri` is "workspace:<absolute path>", for the agent and for
/// GET /workspaces/:id/chat/download.
struct StagedFile {
  std::string uri;
  std::string name;
  std::string mime_type;  ///< Empty when unknown.
  std::size_t size = 0;
};

struct ChatDownload {
  std::string name;
  std::string mime_type;
  std::string content;
};

class ChatFiles {
 public:
  static constexpr std::size_t kMaxRequestBytes = 50u << 20;
  static constexpr std::size_t kMaxFileBytes = 25u << 20;
  static constexpr std::string_view kUploadDir = "/workspace/.molecule/chat-uploads";

  explicit ChatFiles(WorkspaceService& workspaces) : workspaces_(workspaces) {}

  /// Stages `files` in the workspace's upload directory, each under a fresh random prefix.
  /// too_large for a file past kMaxFileBytes; conflict when the workspace is not running.
  Result<std::vector<StagedFile>> upload(const Workspace& w, const std::vector<ChatUpload>& files);
  /// The regular file at `path` (see checkDownloadPath): not_found when there is none,
  /// invalid_argument when it is something else (a directory, a link).
  Result<ChatDownload> download(const Workspace& w, const std::string& path);

  /// The last component of `name`, reduced to [A-Za-z0-9._-] and at most 100 bytes; "file"
  /// when nothing is left.
  static std::string sanitizeFilename(std::string_view name);
  /// invalid_argument unless `path` is absolute, canonical (no "..", ".", empty segments or
  /// trailing slash), free of control characters and under /configs, /workspace, /home or
  /// /plugins.
  static Result<> checkDownloadPath(std::string_view path);
  /// The media type of a file name's extension; empty when unknown.
  static std::string mimeTypeFor(std::string_view name);

 private:
  Result<> ready(const Workspace& w) const;

  WorkspaceService& workspaces_;
};

}  // namespace ws
