#pragma once
// Field validation shared by create, update and import (runtime-spec section 4.2 steps 1 and 4),
// and the agent URL guard used by register and external create.

#include <optional>
#include <string>
#include <string_view>

#include "ws/errors.h"

namespace ws {

/// Text fields of a workspace: no line breaks; name and role also without YAML/template
/// metacharacters; bounded length. Returns the first problem.
std::optional<std::string> validateWorkspaceText(const std::optional<std::string>& name,
                                                 const std::optional<std::string>& role,
                                                 const std::optional<std::string>& model,
                                                 const std::optional<std::string>& runtime);

/// workspace_dir must be absolute, free of "..", and outside system directories.
std::optional<std::string> validateWorkspaceDir(std::string_view dir);

/// none | read_only | read_write; the latter two need a directory.
std::optional<std::string> validateWorkspaceAccess(std::string_view access, bool has_dir);

/// A secret becomes an environment variable: its key must be a variable name and its value
/// at most 64 KiB. The error message, or nothing.
std::optional<std::string> validateSecret(const std::string& key, std::string_view value);

struct UrlPolicy {
  bool allow_loopback = false;  ///< Development: agents on this machine.
  bool allow_private = false;   ///< RFC 1918 and fd00::/8 (SaaS tenants inside a VPC).
};

/// An agent URL: http(s) only; the host (every address it resolves to) must not be
/// link-local, loopback, multicast, documentation, shared or (by policy) private space.
/// The literal host "localhost" is accepted, as the reference does.
Result<> validateAgentUrl(std::string_view url, const UrlPolicy& policy);

}  // namespace ws
