#pragma once
// Field validation shared by create, update and import (runtime-spec section 4.2 steps 1 and 4),
// and the agent URL guard used by register and external create.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ws/errors.h"

namespace ws {

/// Text fields of a workspace: no line breaks; name and role also without YAML/template
/// metacharacters; bounded length. invalid_argument naming the first problem.
Result<> validateWorkspaceText(const std::optional<std::string>& name, const std::optional<std::string>& role,
                               const std::optional<std::string>& model, const std::optional<std::string>& runtime);

/// workspace_dir, normalised: absolute, and inside `root` (the operator's WORKSPACE_DIR_ROOT,
/// symbolic links resolved): invalid_argument otherwise. With no root, host directories cannot
/// be mounted at all (forbidden).
Result<std::string> normaliseWorkspaceDir(std::string_view dir, const std::string& root);

/// none | read_only | read_write; the latter two need a directory (invalid_argument otherwise).
Result<> validateWorkspaceAccess(std::string_view access, bool has_dir);

/// A secret becomes an environment variable: its key must be a variable name and its value
/// at most 64 KiB (invalid_argument otherwise).
Result<> validateSecret(const std::string& key, std::string_view value);

struct UrlPolicy {
  bool allow_loopback = false;  ///< Development: agents on this machine ("localhost" included).
  bool allow_private = false;   ///< RFC 1918 and fc00::/7 (SaaS tenants inside a VPC).
};

/// Why `address` may not be an agent's under `policy` (a special-purpose range of the IANA
/// registries; IPv4-mapped, IPv4-compatible, NAT64 and 6to4 forms judged by the IPv4 address
/// they carry), or nothing when it may.
std::optional<std::string> refusedAddress(std::string_view address, const UrlPolicy& policy);

/// An agent URL that passed the policy, with the addresses its host resolved to. Connect to
/// `addresses`, never to the name again: a second lookup could answer differently.
struct AgentEndpoint {
  std::string host;  ///< As written in the URL (the Host header).
  std::string port;
  std::string target;  ///< Path and query.
  std::vector<std::string> addresses;
  bool https = false;
};

/// An agent URL: http(s) only; the host and every address it resolves to must pass
/// refusedAddress. Resolves names (blocking): call it off the I/O threads unless the host is
/// an IP literal.
Result<AgentEndpoint> resolveAgentUrl(std::string_view url, const UrlPolicy& policy);
/// Whether resolveAgentUrl would look `url`'s host name up (it is not an IP literal).
bool needsNameLookup(std::string_view url);
inline Result<> validateAgentUrl(std::string_view url, const UrlPolicy& policy) {
  auto resolved = resolveAgentUrl(url, policy);
  if (!resolved) return resolved.error();
  return {};
}

}  // namespace ws
