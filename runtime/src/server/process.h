#pragma once
// Process plumbing shared by the server executables: shutdown signals and the port file.

#include <cstdint>
#include <string>

namespace ws {

/// Blocks SIGINT and SIGTERM (call before any thread starts, so only waitForShutdownSignal
/// sees them) and ignores SIGPIPE.
void blockShutdownSignals();
/// Waits for SIGINT or SIGTERM and returns its name.
const char* waitForShutdownSignal();
/// Writes `port` to `path` atomically (write, then rename), for whoever waits on it.
void writePortFile(const std::string& path, std::uint16_t port);

}  // namespace ws
