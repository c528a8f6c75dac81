#include "service/validation.h"

#include <regex>
#include <unordered_map>
#include <unordered_set>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/url/parse.hpp>

#include <array>
#include <filesystem>

namespace ws {
namespace {

Result<> checkText(const char* field, const std::optional<std::string>& value, std::size_t max_len,
                   bool forbid_meta) {
  const auto invalid = [field](const std::string& why) { return makeError(Errc::invalid_argument, field + why); };
  if (!value) return {};
  if (value->size() > max_len) return invalid(" must be at most " + std::to_string(max_len) + " characters");
  if (value->find_first_of("\r\n") != std::string::npos) return invalid(" must not contain line breaks");
  if (forbid_meta && value->find_first_of("{}[]|>*&!") != std::string::npos)
    return invalid(" must not contain any of {}[]|>*&!");
  return {};
}

namespace ip = boost::asio::ip;

struct Range {
  const char* net;
  int bits;
  const char* why;
};

// IPv4 special-purpose ranges (IANA registry); private and loopback space are policy.
constexpr Range kV4Refused[] = {
    {"0.0.0.0", 8, "\"this network\""},           {"100.64.0.0", 10, "shared address space"},
    {"169.254.0.0", 16, "link-local space"},     {"192.0.0.0", 24, "IETF protocol assignments"},
    {"192.0.2.0", 24, "documentation space"},    {"192.88.99.0", 24, "6to4 relay anycast"},
    {"198.18.0.0", 15, "benchmarking space"},    {"198.51.100.0", 24, "documentation space"},
    {"203.0.113.0", 24, "documentation space"},  {"224.0.0.0", 4, "multicast space"},
    {"240.0.0.0", 4, "reserved space"},
};
constexpr Range kV4Private[] = {
    {"10.0.0.0", 8, "private space"}, {"172.16.0.0", 12, "private space"}, {"192.168.0.0", 16, "private space"}};

// IPv6 special-purpose ranges; the forms that carry an IPv4 address are judged by it instead.
constexpr Range kV6Refused[] = {
    {"::", 128, "the unspecified address"},    {"64:ff9b:1::", 48, "local-use NAT64 space"},
    {"100::", 64, "discard-only space"},         {"2001::", 23, "IETF protocol assignments"},
    {"2001:db8::", 32, "documentation space"},   {"3fff::", 20, "documentation space"},
    {"5f00::", 16, "segment routing space"},     {"fe80::", 10, "link-local space"},
    {"fec0::", 10, "site-local space"},          {"ff00::", 8, "multicast space"},
};

bool inV4(const ip::address_v4& a, const char* net, int bits) {
  const auto n = ip::make_address_v4(net).to_uint();
  const auto mask = bits == 0 ? 0u : ~0u << (32 - bits);
  return (a.to_uint() & mask) == (n & mask);
}

bool inV6(const ip::address_v6& a, const char* net, int bits) {
  const auto n = ip::make_address_v6(net).to_bytes();
  const auto b = a.to_bytes();
  for (int i = 0; i < 16 && bits > 0; ++i, bits -= 8) {
    const unsigned mask = bits >= 8 ? 0xffu : (0xffu << (8 - bits)) & 0xffu;
    if ((b[i] & mask) != (n[i] & mask)) return false;
  }
  return true;
}

ip::address_v4 v4At(const ip::address_v6::bytes_type& b, int at) {
  return ip::address_v4(ip::address_v4::bytes_type{b[at], b[at + 1], b[at + 2], b[at + 3]});
}

std::optional<std::string> refused(const ip::address& addr, const UrlPolicy& policy) {
  if (addr.is_v4()) {
    const auto a = addr.to_v4();
    if (inV4(a, "127.0.0.0", 8))
      return policy.allow_loopback ? std::nullopt : std::optional<std::string>("loopback space");
    for (const auto& r : kV4Refused)
      if (inV4(a, r.net, r.bits)) return r.why;
    if (!policy.allow_private)
      for (const auto& r : kV4Private)
        if (inV4(a, r.net, r.bits)) return r.why;
    return std::nullopt;
  }
  const auto a = addr.to_v6();
  const auto b = a.to_bytes();
  if (a.is_loopback()) return policy.allow_loopback ? std::nullopt : std::optional<std::string>("loopback space");
  if (a.is_v4_mapped() || inV6(a, "64:ff9b::", 96) || (inV6(a, "::", 96) && !a.is_unspecified()))
    return refused(v4At(b, 12), policy);  // mapped, NAT64 and IPv4-compatible forms
  if (inV6(a, "2002::", 16)) return refused(v4At(b, 2), policy);  // 6to4
  for (const auto& r : kV6Refused)
    if (inV6(a, r.net, r.bits)) return r.why;
  if (!policy.allow_private && inV6(a, "fc00::", 7)) return "private space";
  return std::nullopt;
}

}  // namespace

Result<> validateWorkspaceText(const std::optional<std::string>& name, const std::optional<std::string>& role,
                               const std::optional<std::string>& model, const std::optional<std::string>& runtime) {
  if (auto ok = checkText("name", name, 255, true); !ok) return ok;
  if (auto ok = checkText("role", role, 1000, true); !ok) return ok;
  if (auto ok = checkText("model", model, 100, false); !ok) return ok;
  return checkText("runtime", runtime, 100, false);
}

Result<std::string> normaliseWorkspaceDir(std::string_view dir, const std::string& root) {
  namespace fs = std::filesystem;
  if (dir.empty() || dir.front() != '/') return makeError(Errc::invalid_argument, "workspace_dir must be an absolute path");
  if (dir.find('\0') != std::string_view::npos) return makeError(Errc::invalid_argument, "workspace_dir must not contain NUL");
  if (dir.size() > 4096) return makeError(Errc::invalid_argument, "workspace_dir is too long");
  if (root.empty())
    return makeError(Errc::forbidden, "workspace_dir is off: the operator has not set WORKSPACE_DIR_ROOT");
  std::error_code ec;
  const fs::path base = fs::weakly_canonical(fs::path(root), ec);
  const fs::path path = ec ? fs::path() : fs::weakly_canonical(fs::path(dir).lexically_normal(), ec);
  if (ec) return makeError(Errc::invalid_argument, "workspace_dir cannot be resolved");
  const auto rel = path.lexically_relative(base);
  if (rel.empty() || *rel.begin() == "..")
    return makeError(Errc::invalid_argument, "workspace_dir must be inside " + base.string());
  std::string out = path.string();
  while (out.size() > 1 && out.back() == '/') out.pop_back();
  return out;
}

Result<> validateWorkspaceAccess(std::string_view access, bool has_dir) {
  if (access.empty() || access == "none") return {};
  if (access != "read_only" && access != "read_write")
    return makeError(Errc::invalid_argument, "workspace_access must be one of none, read_only, read_write");
  if (!has_dir) return makeError(Errc::invalid_argument, "workspace_access " + std::string(access) + " needs workspace_dir");
  return {};
}

std::optional<std::string> refusedAddress(std::string_view address, const UrlPolicy& policy) {
  boost::system::error_code ec;
  const auto a = ip::make_address(address, ec);
  if (ec) return "not an IP address";
  return refused(a, policy);
}

namespace {

// URLs with an IP literal resolve the same way every time: each I/O thread remembers the ones
// it checked (an agent is called again and again). Bounded by forgetting them all.
constexpr std::size_t kMaxRememberedUrls = 1024;
thread_local std::unordered_map<std::string, AgentEndpoint> tl_literal_urls;  // by URL and policy
thread_local std::unordered_set<std::string> tl_literal_hosts;                 // by URL

std::string rememberedKey(std::string_view url, const UrlPolicy& policy) {
  std::string key(url);
  key += policy.allow_loopback ? "\n1" : "\n0";
  key += policy.allow_private ? '1' : '0';
  return key;
}

}  // namespace

bool needsNameLookup(std::string_view url) {
  if (tl_literal_hosts.contains(std::string(url))) return false;
  auto parsed = boost::urls::parse_absolute_uri(url);
  if (!parsed) return false;  // refused before any lookup
  std::string host = parsed->host_address();
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  boost::system::error_code ec;
  (void)ip::make_address(host, ec);
  return ec.failed() && !host.empty();
}

Result<AgentEndpoint> resolveAgentUrl(std::string_view url, const UrlPolicy& policy) {
  const std::string key = rememberedKey(url, policy);
  if (auto it = tl_literal_urls.find(key); it != tl_literal_urls.end()) return it->second;
  auto parsed = boost::urls::parse_absolute_uri(url);
  if (!parsed) return makeError(Errc::invalid_argument, "url must be an absolute http(s) URL");
  const auto scheme = parsed->scheme_id();
  if (scheme != boost::urls::scheme::http && scheme != boost::urls::scheme::https)
    return makeError(Errc::invalid_argument, "url scheme must be http or https");
  AgentEndpoint out;
  out.https = scheme == boost::urls::scheme::https;
  out.host = parsed->host_address();
  if (out.host.empty()) return makeError(Errc::invalid_argument, "url must name a host");
  if (parsed->has_userinfo()) return makeError(Errc::invalid_argument, "url must not carry credentials");
  out.port = parsed->has_port() ? std::string(parsed->port()) : (out.https ? "443" : "80");
  out.target = parsed->encoded_path().empty() ? "/" : std::string(parsed->encoded_path());
  if (parsed->has_query()) out.target += "?" + std::string(parsed->encoded_query());

  std::string host = out.host;
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  boost::system::error_code ec;
  const auto literal = ip::make_address(host, ec);
  const bool is_literal = !ec;
  std::vector<ip::address> addresses;
  if (is_literal) {
    addresses.push_back(literal);
  } else {
    boost::asio::io_context io;
    ip::tcp::resolver resolver(io);
    auto results = resolver.resolve(host, out.port, ec);
    if (ec || results.empty()) return makeError(Errc::invalid_argument, "url host does not resolve: " + host);
    for (const auto& r : results) addresses.push_back(r.endpoint().address());
  }
  for (const auto& a : addresses) {
    if (auto why = refused(a, policy))
      return makeError(Errc::invalid_argument, "url host " + host + " is in " + *why + " (" + a.to_string() + ")");
    out.addresses.push_back(a.to_string());
  }
  if (is_literal) {
    if (tl_literal_urls.size() >= kMaxRememberedUrls) {
      tl_literal_urls.clear();
      tl_literal_hosts.clear();
    }
    tl_literal_urls.emplace(key, out);
    tl_literal_hosts.emplace(url);
  }
  return out;
}

Result<> validateSecret(const std::string& key, std::string_view value) {
  static const std::regex kName("[A-Za-z_][A-Za-z0-9_]{0,255}");
  if (!std::regex_match(key, kName))
    return makeError(Errc::invalid_argument, "secret key must be an environment variable name ([A-Za-z_][A-Za-z0-9_]*)");
  if (value.size() > 64 * 1024) return makeError(Errc::invalid_argument, "a secret value is at most 64 KiB");
  return {};
}

}  // namespace ws
