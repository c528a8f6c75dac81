#pragma once
// A Docker Engine API client over the engine's unix socket, written on Boost.Beast. Every call
// has a deadline, so an engine that is down or stuck yields a clear error, never a hang.
// Beast stays inside engine_client.cpp.

#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <utility>

#include "ws/errors.h"

namespace ws::docker {

struct EngineResponse {
  int status = 0;
  std::string body;
  std::string content_type;

  /// The engine's error text ({"message": ...}) or the body itself.
  std::string message() const;
};

/// Output of a multiplexed stream (logs, exec without a TTY), split by stream.
struct StreamOutput {
  std::string out;
  std::string err;
  std::string combined;  ///< Both streams in the order the frames arrived.
};

class EngineClient {
 public:
  /// `docker_host` as in DOCKER_HOST: "unix:///var/run/docker.sock" or a bare socket path.
  /// Asks the engine its API version and uses min(engine, kMaxApiVersion).
  static Result<std::shared_ptr<EngineClient>> connect(const std::string& docker_host,
                                                       std::chrono::milliseconds timeout);

  /// The highest API version this client speaks.
  static constexpr const char* kMaxApiVersion = "1.41";

  /// One request; `path` is relative to the negotiated version ("/containers/json?all=1").
  Result<EngineResponse> request(const std::string& method, const std::string& path,
                                 const std::string& body = "",
                                 const std::string& content_type = "application/json",
                                 std::chrono::milliseconds timeout = std::chrono::milliseconds(0)) const;

  /// A request whose success is any 2xx, answering the parsed JSON body (null when empty).
  /// Engine errors become backend_error (with the engine's message), 404 becomes not_found.
  Result<nlohmann::json> call(const std::string& method, const std::string& path,
                              const nlohmann::json& body = nullptr) const;

  /// Starts exec `exec_id` over a hijacked connection, writes `stdin_data`, half-closes, and
  /// reads the output until the process ends. Without a TTY the output is demultiplexed.
  Result<StreamOutput> startExec(const std::string& exec_id, const std::string& stdin_data, bool tty,
                                 std::chrono::milliseconds timeout) const;

  /// A connection hijacked by exec start with a TTY: raw bytes both ways. Owns the socket.
  class RawStream {
   public:
    RawStream(int fd, std::string leftover) : fd_(fd), leftover_(std::move(leftover)) {}
    ~RawStream();
    RawStream(const RawStream&) = delete;
    RawStream& operator=(const RawStream&) = delete;
    /// Blocks; "" at end of stream.
    Result<std::string> read();
    Result<> write(std::string_view data);
    /// Shuts the connection down, unblocking read(). Idempotent, thread-safe.
    void shutdown();
    /// Gives up ownership of the socket.
    int release() { return std::exchange(fd_, -1); }

   private:
    int fd_;
    std::string leftover_;
  };

  /// Starts exec `exec_id` with a TTY and keeps the hijacked connection for interactive use.
  Result<std::unique_ptr<RawStream>> startInteractiveExec(const std::string& exec_id) const;

  /// Splits the engine's multiplexed stream format (8-byte frame headers).
  static StreamOutput demultiplex(std::string_view raw);

  const std::string& apiVersion() const { return api_version_; }
  const std::string& socketPath() const { return socket_path_; }
  /// The engine host's CPUs (GET /info NCPU), asked once; 1 when the engine does not say.
  int hostCpus() const;

 private:
  EngineClient(std::string socket_path, std::chrono::milliseconds timeout)
      : socket_path_(std::move(socket_path)), timeout_(timeout) {}
  Result<EngineResponse> rawRequest(const std::string& method, const std::string& target, const std::string& body,
                                    const std::string& content_type, std::chrono::milliseconds timeout) const;

  std::string socket_path_;
  std::chrono::milliseconds timeout_;
  std::string api_version_;
  mutable std::atomic<int> host_cpus_{0};
};

using EngineClientPtr = std::shared_ptr<EngineClient>;

}  // namespace ws::docker
