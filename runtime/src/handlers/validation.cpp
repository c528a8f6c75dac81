#include "validation.h"

#include <regex>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/url/parse.hpp>

#include <array>

namespace ws {
namespace {

std::optional<std::string> checkText(const char* field, const std::optional<std::string>& value,
                                     std::size_t max_len, bool forbid_meta) {
  if (!value) return std::nullopt;
  if (value->size() > max_len)
    return std::string(field) + " must be at most " + std::to_string(max_len) + " characters";
  if (value->find_first_of("\r\n") != std::string::npos)
    return std::string(field) + " must not contain line breaks";
  if (forbid_meta && value->find_first_of("{}[]|>*&!") != std::string::npos)
    return std::string(field) + " must not contain any of {}[]|>*&!";
  return std::nullopt;
}

namespace ip = boost::asio::ip;

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

std::optional<std::string> blockedReason(const ip::address& addr, const UrlPolicy& policy) {
  if (addr.is_v6() && addr.to_v6().is_v4_mapped())
    return blockedReason(ip::make_address_v4(ip::v4_mapped, addr.to_v6()), policy);
  if (addr.is_v4()) {
    const auto a = addr.to_v4();
    if (inV4(a, "127.0.0.0", 8)) return policy.allow_loopback ? std::nullopt : std::optional<std::string>("loopback");
    static constexpr std::array<std::pair<const char*, int>, 7> kAlways{{
        {"0.0.0.0", 8}, {"169.254.0.0", 16}, {"192.0.2.0", 24}, {"198.51.100.0", 24},
        {"203.0.113.0", 24}, {"100.64.0.0", 10}, {"224.0.0.0", 4}}};
    for (const auto& [net, bits] : kAlways)
      if (inV4(a, net, bits)) return "reserved address space";
    if (!policy.allow_private &&
        (inV4(a, "10.0.0.0", 8) || inV4(a, "172.16.0.0", 12) || inV4(a, "192.168.0.0", 16)))
      return "private address space";
    return std::nullopt;
  }
  const auto a = addr.to_v6();
  if (a.is_loopback()) return policy.allow_loopback ? std::nullopt : std::optional<std::string>("loopback");
  if (a.is_unspecified() || inV6(a, "fe80::", 10) || inV6(a, "ff00::", 8) || inV6(a, "2001:db8::", 32) ||
      inV6(a, "fc00::", 8))
    return "reserved address space";
  if (!policy.allow_private && inV6(a, "fd00::", 8)) return "private address space";
  return std::nullopt;
}

}  // namespace

std::optional<std::string> validateWorkspaceText(const std::optional<std::string>& name,
                                                 const std::optional<std::string>& role,
                                                 const std::optional<std::string>& model,
                                                 const std::optional<std::string>& runtime) {
  if (auto e = checkText("name", name, 255, true)) return e;
  if (auto e = checkText("role", role, 1000, true)) return e;
  if (auto e = checkText("model", model, 100, false)) return e;
  if (auto e = checkText("runtime", runtime, 100, false)) return e;
  return std::nullopt;
}

std::optional<std::string> validateWorkspaceDir(std::string_view dir) {
  if (dir.empty() || dir.front() != '/') return "workspace_dir must be an absolute path";
  if (dir.find("..") != std::string_view::npos) return "workspace_dir must not contain '..'";
  if (dir.find('\0') != std::string_view::npos) return "workspace_dir must not contain NUL";
  static constexpr std::array<std::string_view, 10> kSystem{
      "/etc", "/var", "/proc", "/sys", "/dev", "/boot", "/sbin", "/bin", "/lib", "/usr"};
  for (auto sys : kSystem) {
    if (dir == sys || (dir.substr(0, sys.size()) == sys && dir.size() > sys.size() && dir[sys.size()] == '/'))
      return "workspace_dir must not be under " + std::string(sys);
  }
  return std::nullopt;
}

std::optional<std::string> validateWorkspaceAccess(std::string_view access, bool has_dir) {
  if (access.empty() || access == "none") return std::nullopt;
  if (access != "read_only" && access != "read_write")
    return "workspace_access must be one of none, read_only, read_write";
  if (!has_dir) return "workspace_access " + std::string(access) + " needs workspace_dir";
  return std::nullopt;
}

Result<> validateAgentUrl(std::string_view url, const UrlPolicy& policy) {
  auto parsed = boost::urls::parse_absolute_uri(url);
  if (!parsed) return makeError(Errc::invalid_argument, "url must be an absolute http(s) URL");
  const auto scheme = parsed->scheme_id();
  if (scheme != boost::urls::scheme::http && scheme != boost::urls::scheme::https)
    return makeError(Errc::invalid_argument, "url scheme must be http or https");
  std::string host = parsed->host_address();
  if (host.empty()) return makeError(Errc::invalid_argument, "url must name a host");
  if (host == "localhost") return {};

  std::vector<ip::address> addresses;
  boost::system::error_code ec;
  if (host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  auto literal = ip::make_address(host, ec);
  if (!ec) {
    addresses.push_back(literal);
  } else {
    boost::asio::io_context io;
    ip::tcp::resolver resolver(io);
    auto results = resolver.resolve(host, "", ec);
    if (ec) return makeError(Errc::invalid_argument, "url host does not resolve: " + host);
    for (const auto& r : results) addresses.push_back(r.endpoint().address());
  }
  for (const auto& a : addresses) {
    if (auto why = blockedReason(a, policy))
      return makeError(Errc::invalid_argument, "url host " + host + " is in " + *why + " (" + a.to_string() + ")");
  }
  return {};
}

std::optional<std::string> validateSecret(const std::string& key, std::string_view value) {
  static const std::regex kName("[A-Za-z_][A-Za-z0-9_]{0,255}");
  if (!std::regex_match(key, kName)) return "secret key must be an environment variable name ([A-Za-z_][A-Za-z0-9_]*)";
  if (value.size() > 64 * 1024) return "a secret value is at most 64 KiB";
  return std::nullopt;
}

}  // namespace ws
