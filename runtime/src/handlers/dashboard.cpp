// The built-in dashboard: GET / is its page and GET /assets/<name> its scripts, styles and the
// parity matrix, all embedded in the binary (handlers/web_assets.h). Open routes: the files hold
// no data; the page asks for the admin token and calls the API with it. A name is looked up
// as a whole in the embedded table, so no path (encoded dots and slashes included) reaches the
// file system. The page's Content-Security-Policy comes from the browser policy (text/html).

#include <algorithm>

#include "handlers/routes.h"
#include "handlers/web_assets.h"

namespace ws {
namespace {

std::string contentType(std::string_view name) {
  const auto dot = name.rfind('.');
  const std::string_view ext = dot == std::string_view::npos ? std::string_view() : name.substr(dot + 1);
  if (ext == "html") return "text/html; charset=utf-8";
  if (ext == "css") return "text/css; charset=utf-8";
  if (ext == "js") return "text/javascript; charset=utf-8";
  if (ext == "json") return "application/json";
  if (ext == "svg") return "image/svg+xml";
  if (ext == "png") return "image/png";
  return "application/octet-stream";
}

// Whether If-None-Match (a list of entity tags, or "*") names `etag`; weak tags compare by value.
bool matches(std::string_view if_none_match, std::string_view etag) {
  std::size_t pos = 0;
  while (pos < if_none_match.size()) {
    auto end = if_none_match.find(',', pos);
    if (end == std::string_view::npos) end = if_none_match.size();
    std::string_view tag = if_none_match.substr(pos, end - pos);
    while (!tag.empty() && tag.front() == ' ') tag.remove_prefix(1);
    while (!tag.empty() && tag.back() == ' ') tag.remove_suffix(1);
    if (tag.substr(0, 2) == "W/") tag.remove_prefix(2);
    if (tag == "*" || tag == etag) return true;
    pos = end + 1;
  }
  return false;
}

Response serve(const Request& req, std::string_view name) {
  const auto assets = webAssets();
  const auto it = std::find_if(assets.begin(), assets.end(), [&](const WebAsset& a) { return a.name == name; });
  if (it == assets.end()) return Response::protocolError(404, "not found");
  Response r;
  r.content_type = contentType(it->name);
  // Revalidated on every load (the names carry no version); an unchanged file costs a 304.
  r.headers = {{"ETag", std::string(it->etag)}, {"Cache-Control", "no-cache"}};
  if (const auto inm = req.header("if-none-match"); inm && matches(*inm, it->etag)) {
    r.status = 304;
    return r;
  }
  r.body.assign(reinterpret_cast<const char*>(it->data), it->size);
  return r;
}

}  // namespace

void registerDashboardRoutes(Router& router, Services&) {
  router.add("GET", "/", AuthPolicy::open, [](const Request& req) { return serve(req, "index.html"); });
  router.add("GET", "/assets/*name", AuthPolicy::open, [](const Request& req) { return serve(req, req.param("name")); });
}

}  // namespace ws
