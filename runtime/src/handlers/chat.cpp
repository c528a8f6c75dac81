// Chat attachments (runtime-spec 6.3 "Files API"): the user's files go into the workspace as a
// multipart upload, the agent's files come back as a download, byte for byte.

#include <cctype>

#include "core/multipart.h"
#include "handlers/routes.h"

namespace ws {
namespace {

using nlohmann::json;

/// RFC 6266 attachment with both forms of the name: quoted (control characters dropped, quotes
/// and backslashes escaped) and RFC 5987 percent-encoded UTF-8, which clients prefer.
std::string contentDisposition(const std::string& name) {
  std::string quoted, encoded;
  for (unsigned char c : name) {
    if (c < 0x20 || c == 0x7f) continue;
    if (c == '"' || c == '\\') quoted += '\\';
    quoted += static_cast<char>(c);
  }
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (unsigned char c : name) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      encoded += static_cast<char>(c);
    } else {
      encoded += '%';
      encoded += kHex[c >> 4];
      encoded += kHex[c & 15];
    }
  }
  return "attachment; filename=\"" + quoted + "\"; filename*=UTF-8''" + encoded;
}

Response upload(Services& svc, const Request& req) {
  auto loaded = svc.workspaces.findManaged(req.param("id"));
  if (!loaded) return Response::fromError(loaded.error());
  auto parts = parseMultipartForm(req.header("content-type").value_or(""), req.body);
  if (!parts) return Response::error(Errc::invalid_argument, "failed to parse multipart form: " + parts.error().message);
  std::vector<ChatUpload> files;
  for (const auto& p : *parts)
    if (p.name == "files" && p.filename) files.push_back(ChatUpload{*p.filename, p.content_type, p.content});
  auto staged = svc.chat_files.upload(*loaded, files);
  if (!staged) return Response::fromError(staged.error());
  json out = json::array();
  for (const auto& f : *staged) {
    json j{{"uri", f.uri}, {"name", f.name}, {"size", f.size}};
    if (!f.mime_type.empty()) j["mimeType"] = f.mime_type;
    out.push_back(std::move(j));
  }
  return Response::json(200, {{"files", std::move(out)}});
}

Response download(Services& svc, const Request& req) {
  auto loaded = svc.workspaces.findManaged(req.param("id"));
  if (!loaded) return Response::fromError(loaded.error());
  const std::string path = req.queryParam("path").value_or("");
  if (path.empty()) return Response::error(Errc::invalid_argument, "path query required");
  auto file = svc.chat_files.download(*loaded, path);
  if (!file) return Response::fromError(file.error());
  Response r;
  r.status = 200;
  r.content_type = file->mime_type;
  r.body = std::move(file->content);
  r.headers.emplace_back("Content-Disposition", contentDisposition(file->name));
  // An agent wrote these bytes: never let a browser run them as this origin's page.
  r.headers.emplace_back("Content-Security-Policy", "default-src 'none'; sandbox");
  return r;
}

}  // namespace

void registerChatRoutes(Router& router, Services& svc) {
  router.addBlocking("POST", "/workspaces/:id/chat/uploads", AuthPolicy::workspace, [&svc](const Request& r) { return upload(svc, r); });
  router.setBodyLimit("POST", "/workspaces/:id/chat/uploads", ChatFiles::kMaxRequestBytes);
  router.addBlocking("GET", "/workspaces/:id/chat/download", AuthPolicy::workspace, [&svc](const Request& r) { return download(svc, r); });
}

}  // namespace ws
