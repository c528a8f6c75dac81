#pragma once
// How the process logs: the level and the line format, set once at start-up. `text` is for
// people at a terminal; `json` writes one JSON object per line for log collectors. Lines of the
// "access" logger (one per answered request) carry their fields as a JSON object, which the
// JSON format merges into the line instead of quoting it.

#include <spdlog/formatter.h>
#include <spdlog/logger.h>

#include <memory>
#include <string_view>

#include "ws/errors.h"

namespace ws {

enum class LogFormat { text, json };

/// "text" or "json"; invalid_argument for anything else.
Result<LogFormat> parseLogFormat(std::string_view name);

/// Sets the level (spdlog's names) and the format of every logger from now on, and creates the
/// access logger over the default logger's sinks.
void configureLogging(LogFormat format, std::string_view level);

/// The format configureLogging set (text before it runs).
LogFormat logFormat();

/// The logger of the access log: the default logger until configureLogging has run.
spdlog::logger& accessLogger();

/// One JSON object per line: {"time", "level", "msg"}; an access line's own fields instead of
/// "msg".
std::unique_ptr<spdlog::formatter> makeJsonFormatter();

}  // namespace ws
