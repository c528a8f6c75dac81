#pragma once
// Process plumbing shared by the server executables: shutdown signals and the port file.

#include <cstdint>
#include <string>

#include "ws/errors.h"

namespace ws {

/// Blocks SIGINT and SIGTERM (call before any thread starts, so only waitForShutdownSignal
/// sees them) and ignores SIGPIPE.
void blockShutdownSignals();
/// Waits for SIGINT or SIGTERM and returns its name.
const char* waitForShutdownSignal();
/// Raises the soft limit on open files to the hard limit (every live-event client holds a
/// socket); returns the limit now in force.
std::uint64_t raiseOpenFileLimit();
/// Writes `port` to `path` atomically (write, then rename), for whoever waits on it.
void writePortFile(const std::string& path, std::uint16_t port);

/// One server per database: an exclusive lock on `<db>.lock`, held while the returned file
/// descriptor stays open (the process's lifetime). conflict, naming the holder, when another
/// process holds it.
Result<int> lockDatabase(const std::string& db_path);

/// Reads into `value` the secret kept in `path` when the file exists (it must not be readable
/// by group or others), else creates it with a new random value, mode 0600; `created` says which.
Result<> loadOrCreateSecretFile(const std::string& path, std::string& value, bool& created);

}  // namespace ws
