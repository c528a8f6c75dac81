#pragma once
// Secret values at rest (runtime-spec 7.5): AES-256-GCM with a random 12-byte nonce prefixed
// to the ciphertext (encryption_version 1), or plain bytes (version 0) when no key is set.

#include <string>
#include <string_view>

#include "ws/errors.h"

namespace ws {

struct SealedSecret {
  std::string bytes;
  int encryption_version = 0;
};

class SecretBox {
 public:
  /// `key` is SECRETS_ENCRYPTION_KEY: base64 of 32 bytes, or 32 raw bytes. Anything else
  /// (including empty) leaves the box without a key: values are then stored as plain bytes.
  explicit SecretBox(std::string_view key);

  bool encrypts() const { return !key_.empty(); }
  Result<SealedSecret> seal(std::string_view plaintext) const;
  /// Fails for a version-1 value without a key, a value that does not authenticate, or an
  /// unknown version.
  Result<std::string> open(const SealedSecret& sealed) const;

 private:
  std::string key_;  ///< 32 bytes, or empty
};

}  // namespace ws
