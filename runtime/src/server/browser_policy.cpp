#include "server/browser_policy.h"

#include "core/util.h"

#include <boost/asio/ip/address.hpp>
#include <boost/url/parse.hpp>

#include <algorithm>
#include <cctype>

namespace ws {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The name or address of a Host header (or of a URL's authority), lower-case, without the port
// or IPv6 brackets.
std::string hostName(std::string_view host) {
  if (!host.empty() && host.front() == '[') {
    const auto close = host.find(']');
    return lower(host.substr(1, close == std::string_view::npos ? std::string_view::npos : close - 1));
  }
  const auto colon = host.find(':');
  if (colon != std::string_view::npos && host.find(':', colon + 1) != std::string_view::npos) return lower(host);  // bare IPv6
  return lower(host.substr(0, colon));
}

std::string urlHost(std::string_view url) {
  auto parsed = boost::urls::parse_absolute_uri(url);
  return parsed ? hostName(parsed->encoded_host_and_port()) : std::string();
}

bool isLocalName(std::string_view name) {
  return name == "localhost" || (name.size() > 10 && name.substr(name.size() - 10) == ".localhost");
}

bool isAddress(const std::string& name) {
  boost::system::error_code ec;
  boost::asio::ip::make_address(name, ec);
  return !ec;
}

bool isLoopback(const std::string& name) {
  boost::system::error_code ec;
  const auto a = boost::asio::ip::make_address(name, ec);
  return isLocalName(name) || (!ec && a.is_loopback());
}

bool hasHeader(const Response& res, std::string_view name) {
  return std::any_of(res.headers.begin(), res.headers.end(), [&](const auto& h) { return equalsIgnoringCase(h.first, name); });
}

// Added on every answer: no copy of the value unless it goes in.
void setDefault(Response& res, std::string_view name, std::string_view value) {
  if (!hasHeader(res, name)) res.headers.emplace_back(name, value);
}

constexpr const char* kApiPolicy = "default-src 'self'";

// Pages served by this server (the dashboard) load only their own scripts, styles and images,
// and talk only to this server: its WebSocket is named by the Host the page came from ('self'
// covers ws: only in newer browsers). A Host with anything but name and port characters is
// left out rather than written into the header.
std::string pagePolicy(const std::string& host) {
  std::string connect = "'self'";
  const bool plain = !host.empty() && std::all_of(host.begin(), host.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == ':' || c == '[' || c == ']';
  });
  if (plain) connect += " ws://" + host + " wss://" + host;
  return "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src " + connect +
         "; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
}

}  // namespace

BrowserPolicy::BrowserPolicy(const ServerConfig& config) : origins_(config.cors_origins) {
  for (const auto& h : config.allowed_hosts) {
    if (h == "*") any_host_ = true;
    else if (!h.empty()) hosts_.push_back(hostName(h));
  }
  hosts_.push_back("host.docker.internal");  // how containers on Docker Desktop reach the host
  if (auto h = urlHost(config.platform_url); !h.empty()) hosts_.push_back(h);
  for (const auto& o : origins_)
    if (auto h = urlHost(o); !h.empty()) hosts_.push_back(h);
}

bool BrowserPolicy::answersToHost(std::string_view host) const {
  if (any_host_ || host.empty()) return true;  // no Host: HTTP/1.0, never a browser
  const std::string name = hostName(host);
  return isAddress(name) || isLocalName(name) || std::find(hosts_.begin(), hosts_.end(), name) != hosts_.end();
}

bool BrowserPolicy::allowedOrigin(std::string_view origin) const {
  return std::any_of(origins_.begin(), origins_.end(), [&](const std::string& o) { return o == "*" || o == origin; });
}

bool BrowserPolicy::sameOrigin(const Request& req, std::string_view origin) const {
  const std::string host = lower(req.header("host").value_or(""));
  const std::string o = lower(origin);
  return !host.empty() && (o == "http://" + host || o == "https://" + host);
}

std::optional<Response> BrowserPolicy::screen(const Request& req) const {
  const std::string host = req.header("host").value_or("");
  if (!answersToHost(host))
    return Response::protocolError(421, "this server does not answer to host " + hostName(host) +
                                            " (an operator adds it to ALLOWED_HOSTS)");
  const auto origin = req.header("origin");
  if (!origin || sameOrigin(req, *origin)) return std::nullopt;
  if (!allowedOrigin(*origin))
    return Response::protocolError(403, "origin " + *origin + " may not call this server (CORS_ORIGINS)");
  if (req.method != "OPTIONS") return std::nullopt;
  Response preflight;
  preflight.status = 204;
  preflight.content_type.clear();
  preflight.headers = {{"Access-Control-Allow-Methods", "GET,POST,PUT,PATCH,DELETE,OPTIONS"},
                       {"Access-Control-Allow-Headers", "Origin,Content-Type,X-Workspace-Id,Authorization"},
                       {"Access-Control-Max-Age", "600"},
                       {"Vary", "Origin, Access-Control-Request-Method, Access-Control-Request-Headers"}};
  return preflight;
}

void BrowserPolicy::decorate(const Request& req, Response& res) const {
  if (const auto origin = req.header("origin"); origin && !sameOrigin(req, *origin) && allowedOrigin(*origin)) {
    const bool any = std::find(origins_.begin(), origins_.end(), *origin) == origins_.end();  // matched by "*"
    res.headers.emplace_back("Access-Control-Allow-Origin", any ? "*" : *origin);
    if (!any) res.headers.emplace_back("Access-Control-Allow-Credentials", "true");
    setDefault(res, "Vary", "Origin");
  }
  setDefault(res, "X-Content-Type-Options", "nosniff");
  setDefault(res, "X-Frame-Options", "DENY");
  setDefault(res, "Strict-Transport-Security", "max-age=31536000; includeSubDomains");
  setDefault(res, "Referrer-Policy", "strict-origin-when-cross-origin");
  setDefault(res, "Permissions-Policy", "camera=(), microphone=(), geolocation=()");
  if (res.content_type.rfind("text/html", 0) == 0)
    setDefault(res, "Content-Security-Policy", pagePolicy(lower(req.header("host").value_or(""))));
  else
    setDefault(res, "Content-Security-Policy", kApiPolicy);
}

bool BrowserPolicy::trustsPage(const Request& req) const {
  const auto origin = req.header("origin");
  if (!origin || origin->empty()) return false;
  return sameOrigin(req, *origin) || std::find(origins_.begin(), origins_.end(), *origin) != origins_.end();
}

bool BrowserPolicy::allowsWebSocketFrom(const Request& req) const {
  const auto origin = req.header("origin");
  if (!origin || origin->empty() || sameOrigin(req, *origin)) return true;
  return isLoopback(urlHost(*origin)) || std::find(origins_.begin(), origins_.end(), *origin) != origins_.end();
}

}  // namespace ws
