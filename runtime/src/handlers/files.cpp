// The Files API (runtime-spec 6.3 "Files API"): list, read, write, replace and delete files
// inside a running workspace. Everything goes through the dispatchers (exec and the archive
// verbs), so both backends serve it the same way.

#include <algorithm>

#include "core/json_input.h"
#include "core/tar.h"
#include "core/util.h"
#include "handlers/routes.h"
#include "parity/parity.h"

namespace ws {
namespace {

using nlohmann::json;

constexpr std::size_t kMaxReplaceFiles = 200;
bool isRoot(const std::string& root) {
  return std::find(kWorkspaceRoots.begin(), kWorkspaceRoots.end(), root) != kWorkspaceRoots.end();
}

struct Target {
  Workspace workspace;
  std::string root;
};

/// The workspace and root of a files request, or the response to send. The workspace must be
/// online or degraded: files live inside its running workload.
std::variant<Target, Response> target(Services& svc, const Request& req) {
  auto loaded = svc.workspaces.findManaged(req.param("id"));
  if (!loaded) return Response::fromError(loaded.error());
  const std::string root = req.queryParam("root").value_or("/configs");
  if (!isRoot(root)) return Response::error(Errc::invalid_argument, "root must be one of /configs, /workspace, /home, /plugins");
  if (!svc.workspaces.hasProvisioner()) return Response::error(Errc::backend_unavailable, "no workspace backend is configured");
  if (!isServing(loaded->status)) return Response::error(Errc::conflict, "workspace is not running");
  return Target{*loaded, root};
}

std::optional<Response> badPath(const std::string& path) {
  if (isSafeRelativePath(path)) return std::nullopt;
  return Response::error(Errc::invalid_argument, "path must be relative, without '..' or control characters");
}

struct FileTarget {
  Workspace workspace;
  std::string root;
  std::string path;  ///< Relative to the root, validated.
};

/// target() plus the file path of the route's "*path".
std::variant<FileTarget, Response> fileTarget(Services& svc, const Request& req) {
  auto t = target(svc, req);
  if (auto* r = std::get_if<Response>(&t)) return *r;
  const std::string path = req.param("path");
  if (auto bad = badPath(path)) return *bad;
  auto& [w, root] = std::get<Target>(t);
  return FileTarget{std::move(w), std::move(root), path};
}

Response list(Services& svc, const Request& req) {
  PARITY_IMPL(files_api, docker, "find and wc through execAuto; archives through read/writeArchiveAuto");
  PARITY_IMPL(files_api, swarm, "find and wc through execAuto; archives through read/writeArchiveAuto, on the task's container");
  PARITY_IMPL(files_api, controlplane, "find and wc through execAuto; archives through read/writeArchiveAuto");
  auto t = target(svc, req);
  if (auto* r = std::get_if<Response>(&t)) return *r;
  const auto& [w, root] = std::get<Target>(t);
  const std::string path = req.queryParam("path").value_or("");
  if (!path.empty())
    if (auto bad = badPath(path)) return *bad;
  const std::string depth_text = req.queryParam("depth").value_or("1");
  if (depth_text.size() != 1 || depth_text[0] < '1' || depth_text[0] > '5') return Response::error(Errc::invalid_argument, "depth must be 1 to 5");
  // One line per entry: "<d|f> <size> <path relative to the root>". Arguments are passed as
  // positional parameters, never spliced into the script; nothing assumes a /dev.
  static const std::string kScript =
      "[ -d \"$1\" ] && cd \"$1\" || exit 3; [ -e \"${2:-.}\" ] || exit 4; "
      "find \"${2:-.}\" -mindepth 1 -maxdepth \"$3\" \\( -name .git -o -name __pycache__ -o -name node_modules "
      "-o -name .DS_Store \\) -prune -o -print | while IFS= read -r f; do f=${f#./}; "
      "if [ -d \"$f\" ]; then echo \"d 0 $f\"; else echo \"f $(wc -c < \"$f\" | tr -d ' ') $f\"; fi; done";
  auto r = svc.workspaces.execAuto(w.id, {"sh", "-c", kScript, "files", root, path, depth_text}, "");
  if (!r) return Response::fromError(r.error());
  if (r->exit_code == 3) return Response::json(200, json::array());  // the root does not exist yet
  if (r->exit_code == 4) return Response::error(Errc::not_found, "no such path: " + path);
  if (r->exit_code != 0) return Response::error(Errc::internal, "listing failed: " + r->output.substr(0, 512));
  json out = json::array();
  std::size_t start = 0;
  while (start < r->output.size()) {
    std::size_t end = r->output.find('\n', start);
    if (end == std::string::npos) end = r->output.size();
    const std::string line = r->output.substr(start, end - start);
    start = end + 1;
    const auto s1 = line.find(' '), s2 = line.find(' ', s1 + 1);
    if (line.size() < 5 || s1 != 1 || s2 == std::string::npos) continue;
    out.push_back({{"path", line.substr(s2 + 1)}, {"size", std::stoll(line.substr(2, s2 - 2))}, {"dir", line[0] == 'd'}});
  }
  return Response::json(200, out);
}

Response read(Services& svc, const Request& req) {
  auto t = fileTarget(svc, req);
  if (auto* r = std::get_if<Response>(&t)) return *r;
  const auto& [w, root, path] = std::get<FileTarget>(t);
  auto tar = svc.workspaces.readArchiveAuto(w.id, root + "/" + path);
  if (!tar) return tar.error().code == Errc::not_found ? Response::error(Errc::not_found, "no such file: " + path) : Response::fromError(tar.error());
  auto entries = readTar(*tar);
  if (!entries) return Response::fromError(entries.error());
  if (entries->size() != 1 || entries->front().directory) return Response::error(Errc::invalid_argument, path + " is a directory");
  const auto& content = entries->front().content;
  try {
    (void)json(content).dump();
  } catch (const json::exception&) {
    return Response::error(Errc::unprocessable, path + " is not UTF-8 text; read it as an archive");
  }
  return Response::json(200, {{"path", path}, {"content", content}, {"size", content.size()}});
}

/// Writes `files` (paths relative to `root`) through the archive verb.
Result<> writeFiles(Services& svc, const std::string& id, const std::string& root,
                    const std::vector<std::pair<std::string, std::string>>& files) {
  auto tar = makeTar(filesToTarEntries(files));
  if (!tar) return tar.error();
  return svc.workspaces.writeArchiveAuto(id, root, *tar);
}

Response write(Services& svc, const Request& req) {
  auto t = fileTarget(svc, req);
  if (auto* r = std::get_if<Response>(&t)) return *r;
  const auto& [w, root, path] = std::get<FileTarget>(t);
  JsonInput in(req.body);
  auto content = in.string("content");
  if (in.error()) return Response::error(Errc::invalid_argument, *in.error());
  if (!content) return Response::error(Errc::invalid_argument, "content is required");
  if (auto r = writeFiles(svc, w.id, root, {{path, *content}}); !r) return Response::fromError(r.error());
  return Response::json(200, {{"status", "saved"}, {"path", path}});
}

Response replace(Services& svc, const Request& req) {
  auto t = target(svc, req);
  if (auto* r = std::get_if<Response>(&t)) return *r;
  const auto& [w, root] = std::get<Target>(t);
  JsonInput in(req.body);
  auto files = in.object("files");
  if (in.error()) return Response::error(Errc::invalid_argument, *in.error());
  if (!files || files->empty()) return Response::error(Errc::invalid_argument, "files must be a non-empty object of path -> content");
  if (files->size() > kMaxReplaceFiles) return Response::error(Errc::invalid_argument, "at most 200 files");
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [path, content] : files->items()) {
    if (auto bad = badPath(path)) return *bad;
    if (!content.is_string()) return Response::error(Errc::invalid_argument, "the content of " + path + " must be a string");
    out.emplace_back(path, content.get<std::string>());
  }
  if (auto r = writeFiles(svc, w.id, root, out); !r) return Response::fromError(r.error());
  return Response::json(200, {{"status", "replaced"}, {"workspace", w.id}, {"files", out.size()},
                              {"source", svc.workspaces.backendName()}});
}

Response remove(Services& svc, const Request& req) {
  auto t = fileTarget(svc, req);
  if (auto* r = std::get_if<Response>(&t)) return *r;
  const auto& [w, root, path] = std::get<FileTarget>(t);
  auto r = svc.workspaces.execAuto(w.id, {"rm", "-rf", "--", root + "/" + path}, "");
  if (!r) return Response::fromError(r.error());
  if (r->exit_code != 0) return Response::error(Errc::internal, "delete failed: " + r->output.substr(0, 512));
  return Response::json(200, {{"status", "deleted"}, {"path", path}});
}

}  // namespace

void registerFileRoutes(Router& router, Services& svc) {
  router.addBlocking("GET", "/workspaces/:id/files", AuthPolicy::workspace, [&svc](const Request& r) { return list(svc, r); });
  router.addBlocking("PUT", "/workspaces/:id/files", AuthPolicy::workspace, [&svc](const Request& r) { return replace(svc, r); });
  router.addBlocking("GET", "/workspaces/:id/files/*path", AuthPolicy::workspace, [&svc](const Request& r) { return read(svc, r); });
  router.addBlocking("PUT", "/workspaces/:id/files/*path", AuthPolicy::workspace, [&svc](const Request& r) { return write(svc, r); });
  router.addBlocking("DELETE", "/workspaces/:id/files/*path", AuthPolicy::workspace, [&svc](const Request& r) { return remove(svc, r); });
}

}  // namespace ws
