#pragma once
// The dashboard's files (runtime/web) and the parity matrix (parity json), embedded at build
// time: cmake/EmbedFiles.cmake generates the definition of webAssets(). Only the dashboard's
// routes include this.

#include <cstddef>
#include <span>
#include <string_view>

namespace ws {

struct WebAsset {
  std::string_view name;  ///< The file's base name: "app.js".
  std::string_view etag;  ///< Strong ETag, quoted: a prefix of the SHA-256 of the bytes.
  const unsigned char* data;
  std::size_t size;
};

/// Every embedded file.
std::span<const WebAsset> webAssets();

}  // namespace ws
