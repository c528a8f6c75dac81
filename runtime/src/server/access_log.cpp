#include "server/access_log.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>

#include "core/logging.h"
#include "core/util.h"

namespace ws {
namespace {

constexpr std::size_t kMaxRequestId = 128;
constexpr std::size_t kMaxLoggedPath = 256;

bool saneIdChar(char c) { return c > 0x20 && c < 0x7f && c != '"' && c != '\\'; }

// The path is percent-decoded: a client could send line breaks or escape sequences through it.
std::string printablePath(const Request& req) {
  std::string out;
  for (char c : req.path) {
    if (out.size() >= kMaxLoggedPath) {
      out += "...";
      break;
    }
    out += static_cast<unsigned char>(c) < 0x20 || c == 0x7f ? '?' : c;
  }
  return out;
}

double millis(std::chrono::steady_clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

}  // namespace

std::string requestIdFor(const std::optional<std::string>& incoming) {
  if (incoming && !incoming->empty() && incoming->size() <= kMaxRequestId &&
      std::all_of(incoming->begin(), incoming->end(), saneIdChar))
    return *incoming;
  return newQuickUuid();
}

std::string accessLine(const Request& req, int status, std::chrono::steady_clock::duration elapsed) {
  return fmt::format("{} {} {} {:.2f}ms request_id={} path={} remote={}", req.method.empty() ? "-" : req.method,
                     req.route.empty() ? "-" : req.route, status, millis(elapsed), req.request_id, printablePath(req),
                     req.remote_address.empty() ? "-" : req.remote_address);
}

std::string accessJson(const Request& req, int status, std::chrono::steady_clock::duration elapsed) {
  const nlohmann::json line{{"request_id", req.request_id},
                            {"method", req.method},
                            {"route", req.route.empty() ? nlohmann::json(nullptr) : nlohmann::json(req.route)},
                            {"path", printablePath(req)},
                            {"status", status},
                            {"duration_ms", std::round(millis(elapsed) * 100) / 100},
                            {"remote", req.remote_address}};
  return line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void logAccess(const Request& req, int status, std::chrono::steady_clock::duration elapsed) {
  auto& log = accessLogger();
  if (!log.should_log(spdlog::level::info)) return;
  log.info(logFormat() == LogFormat::json ? accessJson(req, status, elapsed) : accessLine(req, status, elapsed));
}

}  // namespace ws
