#include "core/util.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <random>
#include <stdexcept>
#include <vector>

namespace ws {

std::string formatTime(Clock::time_point t) {
  const auto ms = std::chrono::floor<std::chrono::milliseconds>(t.time_since_epoch());
  const std::chrono::sys_days day = std::chrono::floor<std::chrono::days>(Clock::time_point(ms));
  const std::chrono::year_month_day ymd(day);
  const std::chrono::hh_mm_ss hms(ms - day.time_since_epoch());
  // Written digit by digit: this runs for every activity row and event.
  std::string out = "0000-00-00T00:00:00.000Z";
  const auto put = [&out](std::size_t at, int width, long value) {
    for (int i = width - 1; i >= 0; --i, value /= 10) out[at + static_cast<std::size_t>(i)] = static_cast<char>('0' + value % 10);
  };
  put(0, 4, static_cast<int>(ymd.year()));
  put(5, 2, static_cast<unsigned>(ymd.month()));
  put(8, 2, static_cast<unsigned>(ymd.day()));
  put(11, 2, hms.hours().count());
  put(14, 2, hms.minutes().count());
  put(17, 2, hms.seconds().count());
  put(20, 3, hms.subseconds().count());
  return out;
}

std::optional<std::int64_t> unixMillis(std::string_view stamp) {
  std::tm tm{};
  int ms = 0;
  int consumed = 0;
  const std::string text(stamp);
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d.%3dZ%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
                  &tm.tm_min, &tm.tm_sec, &ms, &consumed) != 7 ||
      consumed != static_cast<int>(text.size()))
    return std::nullopt;
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return static_cast<std::int64_t>(timegm(&tm)) * 1000 + ms;
}

namespace {

void randomBytes(unsigned char* out, std::size_t n) {
  if (RAND_bytes(out, static_cast<int>(n)) != 1) throw std::runtime_error("RAND_bytes failed");
}

std::string uuidOf(unsigned char (&b)[16]) {
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out.push_back(kHex[b[i] >> 4]);
    out.push_back(kHex[b[i] & 0x0f]);
  }
  return out;
}

}  // namespace

std::string newUuid() {
  unsigned char b[16];
  randomBytes(b, sizeof b);
  return uuidOf(b);
}

std::string newQuickUuid() {
  thread_local std::mt19937_64 generator = [] {
    std::uint64_t seed[4];
    randomBytes(reinterpret_cast<unsigned char*>(seed), sizeof seed);
    std::seed_seq sequence{seed[0], seed[1], seed[2], seed[3]};
    return std::mt19937_64(sequence);
  }();
  unsigned char b[16];
  const std::uint64_t hi = generator(), lo = generator();
  std::memcpy(b, &hi, 8);
  std::memcpy(b + 8, &lo, 8);
  return uuidOf(b);
}

bool isUuid(std::string_view s) noexcept {
  if (s.size() != 36) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') return false;
    } else if (!std::isxdigit(static_cast<unsigned char>(c))) {
      return false;
    }
  }
  return true;
}

std::string base64Encode(std::string_view data) {
  std::string b64(4 * ((data.size() + 2) / 3) + 1, '\0');
  const int len = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(b64.data()),
                                  reinterpret_cast<const unsigned char*>(data.data()), static_cast<int>(data.size()));
  b64.resize(static_cast<std::size_t>(len));
  return b64;
}

std::string randomToken(std::size_t n) {
  std::vector<unsigned char> raw(n);
  randomBytes(raw.data(), n);
  std::string b64 = base64Encode(std::string_view(reinterpret_cast<const char*>(raw.data()), n));
  for (char& c : b64) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  while (!b64.empty() && b64.back() == '=') b64.pop_back();
  return b64;
}

namespace {

// Fetched once: OpenSSL 3 looks the algorithm up on every call otherwise.
const EVP_MD* sha256Algorithm() {
  static EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return md ? md : EVP_sha256();
}

}  // namespace

std::string sha256Hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), digest, &len, sha256Algorithm(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(len * 2);
  for (unsigned int i = 0; i < len; ++i) {
    out.push_back(kHex[digest[i] >> 4]);
    out.push_back(kHex[digest[i] & 0xf]);
  }
  return out;
}

Sha256 sha256(std::string_view data) {
  Sha256 digest{};
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), digest.data(), &len, sha256Algorithm(), nullptr) != 1 || len != digest.size())
    throw std::runtime_error("SHA-256 failed");
  return digest;
}

bool digestsEqual(const Sha256& a, const Sha256& b) noexcept { return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0; }

bool constantTimeEquals(std::string_view a, std::string_view b) noexcept {
  // Compare digests so the length of the secret does not leak either.
  try {
    return digestsEqual(sha256(a), sha256(b));
  } catch (const std::exception&) {
    return false;
  }
}

bool equalsIgnoringCase(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x + 32);
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y + 32);
    if (x != y) return false;
  }
  return true;
}

void toLowerAscii(std::string& s) noexcept {
  for (char& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
}

bool isSafeRelativePath(std::string_view p) noexcept {
  constexpr std::size_t kMaxPathBytes = 1024;
  if (p.empty() || p.size() > kMaxPathBytes || p.front() == '/') return false;
  std::size_t start = 0;
  while (start <= p.size()) {
    const std::size_t end = std::min(p.find('/', start), p.size());
    const std::string_view part = p.substr(start, end - start);
    if (part.empty() || part == "." || part == "..") return false;
    start = end + 1;
  }
  for (unsigned char ch : p)
    if (ch < 0x20 || ch == 0x7f) return false;
  return true;
}

bool isValidUtf8(std::string_view text) noexcept {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto b = static_cast<unsigned char>(text[i]);
    if (b < 0x80) {
      ++i;
      continue;
    }
    // Lead byte: the sequence length and the range its second byte must be in.
    std::size_t n = 0;
    unsigned char lo = 0x80, hi = 0xBF;
    if (b >= 0xC2 && b <= 0xDF) n = 2;
    else if (b == 0xE0) n = 3, lo = 0xA0;
    else if ((b >= 0xE1 && b <= 0xEC) || b == 0xEE || b == 0xEF) n = 3;
    else if (b == 0xED) n = 3, hi = 0x9F;  // no surrogates
    else if (b == 0xF0) n = 4, lo = 0x90;
    else if (b >= 0xF1 && b <= 0xF3) n = 4;
    else if (b == 0xF4) n = 4, hi = 0x8F;  // up to U+10FFFF
    else return false;
    if (i + n > text.size()) return false;
    const auto second = static_cast<unsigned char>(text[i + 1]);
    if (second < lo || second > hi) return false;
    for (std::size_t k = 2; k < n; ++k)
      if ((static_cast<unsigned char>(text[i + k]) & 0xC0) != 0x80) return false;
    i += n;
  }
  return true;
}

}  // namespace ws
