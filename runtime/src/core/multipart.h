#pragma once
// multipart/form-data request bodies (RFC 7578), as browsers send file uploads. The parts are
// views into the body, which must outlive them. Written here because Debian's C++ options are
// whole MIME suites (GMime, mimetic) for what is one bounded scan.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ws/errors.h"

namespace ws {

struct FormPart {
  std::string name;                     ///< The form field.
  std::optional<std::string> filename;  ///< Set for a file (filename* preferred over filename).
  std::string content_type;             ///< The part's Content-Type, if it sent one.
  std::string_view content;
};

struct MultipartLimits {
  std::size_t max_parts = 100;
  std::size_t max_header_bytes = 8 * 1024;  ///< Of one part's header block.
};

/// The parts of `body`, sent with the request header `content_type`. invalid_argument when that
/// is not multipart/form-data with a boundary, or when the body is malformed or beyond `limits`.
Result<std::vector<FormPart>> parseMultipartForm(std::string_view content_type, std::string_view body,
                                                 MultipartLimits limits = {});

}  // namespace ws
