#include "core/logging.h"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <atomic>

#include "core/util.h"

namespace ws {
namespace {

constexpr const char* kAccessLogger = "access";
constexpr const char* kTextPattern = "%Y-%m-%dT%H:%M:%S.%eZ %^%l%$ %v";

std::atomic<LogFormat> g_format{LogFormat::text};

// Log text is whatever the program was given (paths, peer answers): invalid UTF-8 is replaced,
// never a reason to lose the line.
std::string quoted(std::string_view s) {
  return nlohmann::json(std::string(s)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

class JsonFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    const std::string_view payload(msg.payload.data(), msg.payload.size());
    const auto level = spdlog::level::to_string_view(msg.level);
    std::string line = "{\"time\":\"" + formatTime(msg.time) + "\",\"level\":" +
                       quoted(std::string_view(level.data(), level.size()));
    const std::string_view logger(msg.logger_name.data(), msg.logger_name.size());
    if (logger == kAccessLogger && payload.size() >= 2 && payload.front() == '{' && payload.back() == '}') {
      line += ",\"logger\":\"access\"";
      if (payload.size() > 2) line += "," + std::string(payload.substr(1));
      else line += "}";
    } else {
      line += ",\"msg\":" + quoted(payload) + "}";
    }
    line += '\n';
    dest.append(line.data(), line.data() + line.size());
  }
  std::unique_ptr<spdlog::formatter> clone() const override { return std::make_unique<JsonFormatter>(); }
};

}  // namespace

Result<LogFormat> parseLogFormat(std::string_view name) {
  if (name == "text") return LogFormat::text;
  if (name == "json") return LogFormat::json;
  return makeError(Errc::invalid_argument, "unknown log format '" + std::string(name) + "' (text or json)");
}

std::unique_ptr<spdlog::formatter> makeJsonFormatter() { return std::make_unique<JsonFormatter>(); }

void configureLogging(LogFormat format, std::string_view level) {
  g_format = format;
  auto main = spdlog::default_logger();
  // The access logger writes through the same sinks, so both kinds of line share one stream
  // and one format.
  spdlog::drop(kAccessLogger);
  auto access = std::make_shared<spdlog::logger>(kAccessLogger, main->sinks().begin(), main->sinks().end());
  spdlog::register_logger(access);
  if (format == LogFormat::json) spdlog::set_formatter(makeJsonFormatter());
  else spdlog::set_pattern(kTextPattern, spdlog::pattern_time_type::utc);
  spdlog::set_level(spdlog::level::from_str(std::string(level)));
}

LogFormat logFormat() { return g_format; }

spdlog::logger& accessLogger() {
  if (auto access = spdlog::get(kAccessLogger)) return *access;
  return *spdlog::default_logger_raw();
}

}  // namespace ws
