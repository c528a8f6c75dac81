#include "service/secret_box.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <memory>
#include <vector>

namespace ws {
namespace {

constexpr std::size_t kKeyBytes = 32, kNonceBytes = 12, kTagBytes = 16;

using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

/// The bytes of standard base64 `in`, or "" when it is not base64.
std::string decodeBase64(std::string_view in) {
  if (in.empty() || in.size() % 4 != 0) return {};
  std::vector<unsigned char> out(3 * (in.size() / 4));
  const int n = EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(in.data()), static_cast<int>(in.size()));
  if (n < 0) return {};
  std::size_t len = static_cast<std::size_t>(n);
  // EVP_DecodeBlock counts padding as zero bytes.
  for (auto it = in.rbegin(); it != in.rend() && *it == '=' && len > 0; ++it) --len;
  return std::string(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(len));
}

const unsigned char* u(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }
unsigned char* u(std::string& s) { return reinterpret_cast<unsigned char*>(s.data()); }

/// 32 raw bytes as they are, base64 of 32 bytes decoded, anything else "" (no key).
std::string parseKey(std::string_view key) {
  if (key.size() == kKeyBytes) return std::string(key);
  std::string decoded = decodeBase64(key);
  return decoded.size() == kKeyBytes ? decoded : std::string();
}

}  // namespace

SecretBox::SecretBox(std::string_view key) : key_(parseKey(key)) {}

Result<SealedSecret> SecretBox::seal(std::string_view plaintext) const {
  if (!encrypts()) return SealedSecret{std::string(plaintext), 0};
  std::string out(kNonceBytes + plaintext.size() + kTagBytes, '\0');
  if (RAND_bytes(u(out), kNonceBytes) != 1) return makeError(Errc::internal, "no randomness for a nonce");
  CipherCtx ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  int len = 0;
  unsigned char* body = u(out) + kNonceBytes;
  if (!ctx || EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, u(key_), u(out)) != 1 ||
      EVP_EncryptUpdate(ctx.get(), body, &len, u(plaintext), static_cast<int>(plaintext.size())) != 1 ||
      EVP_EncryptFinal_ex(ctx.get(), body + len, &len) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagBytes, body + plaintext.size()) != 1)
    return makeError(Errc::internal, "secret encryption failed");
  return SealedSecret{std::move(out), 1};
}

Result<std::string> SecretBox::open(const SealedSecret& sealed) const {
  if (sealed.encryption_version == 0) return sealed.bytes;
  if (sealed.encryption_version != 1) return makeError(Errc::internal, "unknown secret encryption version");
  if (!encrypts()) return makeError(Errc::internal, "an encrypted secret needs SECRETS_ENCRYPTION_KEY");
  const std::string_view in = sealed.bytes;
  if (in.size() < kNonceBytes + kTagBytes) return makeError(Errc::internal, "secret ciphertext too short");
  const std::size_t n = in.size() - kNonceBytes - kTagBytes;
  std::string out(n, '\0');
  std::string tag(in.substr(kNonceBytes + n));
  CipherCtx ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  int len = 0;
  if (!ctx || EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, u(key_), u(in)) != 1 ||
      EVP_DecryptUpdate(ctx.get(), u(out), &len, u(in) + kNonceBytes, static_cast<int>(n)) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagBytes, u(tag)) != 1 ||
      EVP_DecryptFinal_ex(ctx.get(), u(out) + len, &len) != 1)
    return makeError(Errc::internal, "secret decryption failed");
  return out;
}

}  // namespace ws
