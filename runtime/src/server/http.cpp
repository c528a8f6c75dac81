#include "server/http.h"

#include <boost/url/parse.hpp>

#include <algorithm>

#include "ws/errors.h"

namespace ws {

namespace {

// Path characters that need no decoding (RFC 3986 pchar without '%', plus '/').
bool plainPathChar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("/-._~!$&'()*+,;=:@").find(c) != std::string_view::npos;
}

}  // namespace

bool parseRequestTarget(std::string_view target, Request& req) {
  // Most targets are a plain path: split it here, the URL parser is for the rest.
  if (!target.empty() && target.front() == '/' && std::all_of(target.begin(), target.end(), plainPathChar)) {
    req.target = std::string(target);
    req.path = req.target;
    for (std::size_t i = 1; i <= target.size();) {
      const std::size_t end = std::min(target.find('/', i), target.size());
      req.segments.emplace_back(target.substr(i, end - i));
      i = end + 1;
    }
    if (target == "/") req.segments.clear();
    return true;
  }
  auto url = boost::urls::parse_origin_form(target);
  if (!url) return false;
  req.target = std::string(target);
  req.path = url->path();
  for (auto segment : url->segments()) req.segments.push_back(segment);
  for (auto param : url->params()) req.query[param.key] = param.value;
  return true;
}

std::optional<std::string> Request::header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  if (it == headers.end()) return std::nullopt;
  return it->second;
}

std::optional<std::string> Request::queryParam(const std::string& name) const {
  auto it = query.find(name);
  if (it == query.end()) return std::nullopt;
  return it->second;
}

const std::string& Request::param(const std::string& name) const {
  static const std::string empty;
  auto it = params.find(name);
  return it == params.end() ? empty : it->second;
}

std::string Request::bearer() const {
  auto h = header("authorization");
  if (!h) return {};
  constexpr std::string_view kPrefix = "Bearer ";
  if (h->size() <= kPrefix.size() || h->compare(0, kPrefix.size(), kPrefix) != 0) return {};
  return h->substr(kPrefix.size());
}

Response Response::json(int status, const nlohmann::json& body) {
  Response r;
  r.status = status;
  r.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return r;
}

Response Response::protocolError(int status, std::string_view message) {
  return json(status, {{"error", message}});
}

Response Response::error(Errc code, std::string_view message) { return protocolError(httpStatus(code), message); }

Response Response::fromError(const Error& e) { return error(e.code, e.message); }

Response Response::later(std::function<Response()> work) {
  Response r;
  r.deferred = std::move(work);
  return r;
}

Response Response::async(std::function<void(std::function<void(Response)>)> start) {
  Response r;
  r.pending = std::move(start);
  return r;
}

Response Response::stream(std::shared_ptr<Feed> feed, EventFraming framing) {
  Response r;
  r.content_type = "text/event-stream";
  r.feed = std::move(feed);
  r.framing = framing;
  return r;
}

}  // namespace ws
