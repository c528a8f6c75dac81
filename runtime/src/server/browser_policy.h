#pragma once
// What a browser may do with this server (runtime-spec 6.1): which origins may call it (CORS,
// with credentials), which Host names it answers to (so a DNS-rebinding page cannot reach a
// server on loopback), which origins may open a WebSocket, and the security headers of every
// answer. Applied by the HTTP server to every request, before any route.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/http.h"
#include "ws/config.h"

namespace ws {

class BrowserPolicy {
 public:
  explicit BrowserPolicy(const ServerConfig& config);

  /// The answer when the request must not reach a route: a CORS preflight (204 with the CORS
  /// headers), a Host this server does not answer to (421), a cross-site Origin that is not
  /// allowed (403). Nothing when the request may proceed.
  std::optional<Response> screen(const Request& req) const;
  /// Adds the CORS headers (for an allowed cross-site Origin) and the security headers a
  /// handler did not set itself.
  void decorate(const Request& req, Response& res) const;
  /// Whether a WebSocket may be opened from this Origin: none (not a browser), a page on
  /// localhost or this server's own host, or an allowed CORS origin.
  bool allowsWebSocketFrom(const Request& req) const;

  /// Whether the request comes from a page this server trusts with credentials: its Origin is
  /// this server's own or one listed in CORS_ORIGINS ("*" grants no credentials, so it does not
  /// count). Outside a browser an Origin can be forged: a gate for cosmetic routes only.
  bool trustsPage(const Request& req) const;

  /// Whether `host` (a Host header: name or address, optional port) is one this server answers to.
  bool answersToHost(std::string_view host) const;

 private:
  bool allowedOrigin(std::string_view origin) const;
  bool sameOrigin(const Request& req, std::string_view origin) const;

  std::vector<std::string> origins_;
  std::vector<std::string> hosts_;  ///< Lower-case names, without ports.
  bool any_host_ = false;
};

}  // namespace ws
