#pragma once
// Small shared helpers: time stamps, ids, tokens, hashing and relative paths.

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ws {

using Clock = std::chrono::system_clock;

/// RFC 3339 UTC with milliseconds, e.g. 2026-01-02T03:04:05.678Z. Sorts lexicographically.
std::string formatTime(Clock::time_point t);
inline std::string nowTime() { return formatTime(Clock::now()); }
/// Milliseconds since the Unix epoch of a formatTime stamp; nothing when it is not one.
std::optional<std::int64_t> unixMillis(std::string_view stamp);

/// A random (version 4) UUID in canonical lower-case form.
std::string newUuid();
/// A version 4 UUID from a per-thread generator seeded by the CSPRNG: unique but not secret,
/// for ids made on every request (request ids).
std::string newQuickUuid();
/// True for the canonical 8-4-4-4-12 hex form (either case).
bool isUuid(std::string_view s) noexcept;

/// Standard base64 with padding (RFC 4648 section 4).
std::string base64Encode(std::string_view data);
/// `n` random bytes from OpenSSL's CSPRNG, base64url encoded without padding.
std::string randomToken(std::size_t n = 32);
/// Lower-case hex SHA-256 digest.
std::string sha256Hex(std::string_view data);
using Sha256 = std::array<unsigned char, 32>;
/// The SHA-256 digest itself.
Sha256 sha256(std::string_view data);
/// Compares digests in time independent of where they differ.
bool digestsEqual(const Sha256& a, const Sha256& b) noexcept;
/// Compares in time independent of where the inputs differ.
bool constantTimeEquals(std::string_view a, std::string_view b) noexcept;

/// ASCII case-insensitive equality (HTTP header names).
bool equalsIgnoringCase(std::string_view a, std::string_view b) noexcept;
/// Lower-cases ASCII letters in place, whatever the locale.
void toLowerAscii(std::string& s) noexcept;

/// Well-formed UTF-8 (no overlong forms, surrogates or code points past U+10FFFF): text that
/// can go into JSON.
bool isValidUtf8(std::string_view text) noexcept;

/// The directories of a workload that the Files API and chat files reach.
inline constexpr std::array<std::string_view, 4> kWorkspaceRoots{"/configs", "/workspace", "/home", "/plugins"};

/// A relative path (at most 1 KiB) without empty, "." or ".." segments, NULs or control
/// characters: joined to a root, it stays inside it.
bool isSafeRelativePath(std::string_view p) noexcept;

}  // namespace ws
