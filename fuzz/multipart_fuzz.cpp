// multipart/form-data bodies as browsers (or anyone) send them to the chat upload route:
// parseMultipartForm over arbitrary bytes, with the boundary the seeds use. Whatever it accepts
// must be views inside the body, and no more parts than the limit.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string_view>

#include "core/multipart.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  auto parts = ws::parseMultipartForm("multipart/form-data; boundary=fuzz", body, ws::MultipartLimits{8, 256});
  if (!parts) return 0;
  if (parts->size() > 8) {
    std::fprintf(stderr, "%zu parts past a limit of 8\n", parts->size());
    __builtin_trap();
  }
  for (const auto& p : *parts) {
    if (!p.content.empty() && (p.content.data() < body.data() || p.content.data() + p.content.size() > body.data() + body.size())) {
      std::fprintf(stderr, "a part's content lies outside the body\n");
      __builtin_trap();
    }
  }
  return 0;
}
