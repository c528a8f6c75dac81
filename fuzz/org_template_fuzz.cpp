// Org templates through POST /org/import, each way the server reads one. The first byte picks:
//   'j'  the rest is the JSON request body ({"template": {...}} or {"dir": ...})
//   'd'  the rest is a template directory: org.yaml, then after a line "--- team.yaml" the
//        file that org.yaml may `!include team.yaml`; imported with {"dir": "fz", "force": true}
//   else the rest is a YAML template (Content-Type: application/yaml), force=true when the
//        first byte is 'f'

#include <cstddef>
#include <cstdint>
#include <fstream>
#include <filesystem>
#include <string_view>

#include "support/fixture.h"

namespace {

void writeFile(const std::filesystem::path& p, std::string_view text) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  ws::fuzz::fixture();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  auto& fx = ws::fuzz::fixture();
  const char mode = static_cast<char>(data[0]);
  std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);

  ws::Request req;
  req.method = "POST";
  req.target = req.path = "/org/import";
  req.segments = {"org", "import"};
  req.remote_address = "127.0.0.1";
  req.headers["authorization"] = std::string("Bearer ") + ws::fuzz::kAdminToken;
  if (mode == 'j') {
    req.headers["content-type"] = "application/json";
    req.body = std::string(rest);
  } else if (mode == 'd') {
    const std::filesystem::path dir = std::filesystem::path(fx.templates_dir) / "fz";
    std::filesystem::create_directories(dir);
    constexpr std::string_view kSplit = "\n--- team.yaml\n";
    const auto cut = rest.find(kSplit);
    writeFile(dir / "org.yaml", rest.substr(0, cut));
    writeFile(dir / "team.yaml", cut == std::string_view::npos ? std::string_view() : rest.substr(cut + kSplit.size()));
    req.headers["content-type"] = "application/json";
    req.body = R"({"dir": "fz", "force": true})";
  } else {
    req.headers["content-type"] = "application/yaml";
    req.body = std::string(rest);
    if (mode == 'f') {
      req.target += "?force=true";
      req.query["force"] = "true";
    }
  }
  const ws::Response res = fx.handle(req);
  if (res.status < 100 || res.status > 599) __builtin_trap();
  return 0;
}
