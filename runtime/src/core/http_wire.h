#pragma once
// HTTP/1.1 message heads written straight into a string. Beast's serializer walks a nested
// view of buffer sequences for every write, which costs more than the small keep-alive
// messages of the A2A proxy; these heads go out with the body in one gathered write.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ws {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

/// "METHOD target HTTP/1.1", Host, Content-Type (with a body), `headers`, Content-Length and,
/// unless `keep_alive`, Connection: close.
std::string httpRequestHead(std::string_view method, std::string_view target, std::string_view host,
                            std::string_view content_type, const HeaderList& headers, std::size_t content_length,
                            bool keep_alive);

/// The status line (HTTP/1.0 or 1.1 as `version` is 10 or 11), Server, Content-Type when not
/// empty, `headers`, Content-Length (none for 1xx, 204 and 304, which carry no body) and the
/// Connection header `keep_alive` needs for that version.
std::string httpResponseHead(int status, unsigned version, std::string_view content_type, const HeaderList& headers,
                             std::size_t content_length, bool keep_alive);

/// Whether a response with `status` carries a body at all.
inline bool statusHasBody(int status) { return status >= 200 && status != 204 && status != 304; }

}  // namespace ws
