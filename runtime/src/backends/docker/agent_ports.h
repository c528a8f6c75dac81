#pragma once
// Ports for agents on the host network (the Docker and Swarm backends): from below the kernel's
// ephemeral range (32768+), so that no outgoing connection can take a port between its choice
// and the agent's bind, and round-robin, so that a port is not handed out again while its agent
// is still starting. Servers sharing a host start at different points of the range.

#include <mutex>

#include "ws/errors.h"

namespace ws::docker {

class AgentPorts {
 public:
  static constexpr int kFirst = 20000;
  static constexpr int kCount = 10000;

  AgentPorts();
  /// The next port of the range that is free on loopback; backend_error when none is.
  Result<int> take();

 private:
  std::mutex mutex_;
  int next_ = 0;  ///< round-robin offset into the range
};

}  // namespace ws::docker
