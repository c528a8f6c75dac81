#pragma once
// Liveness in the database (the replacement for the reference's Redis TTL keys): every
// heartbeat or registration stamps the workspace's last_heartbeat_at, so a heartbeat to one
// replica counts on all of them; a serving workspace silent for the TTL expires. After a start
// the silence is counted from the start, not from the last heartbeat: a restarted server
// gives every agent a full TTL to find it again.

#include <chrono>
#include <string>
#include <vector>

#include "core/util.h"
#include "ws/errors.h"
#include "ws/workspace_store.h"

namespace ws {

class LivenessTracker {
 public:
  LivenessTracker(WorkspaceStore& store, std::chrono::seconds ttl, Clock::time_point started = Clock::now())
      : store_(store), ttl_(ttl), started_(started) {}

  /// Online or degraded workspaces silent for the TTL, counted from their last heartbeat or
  /// this server's start, whichever is later. They stay listed until their status changes.
  Result<std::vector<std::string>> expired(Clock::time_point now = Clock::now());

 private:
  WorkspaceStore& store_;
  std::chrono::seconds ttl_;
  Clock::time_point started_;
};

}  // namespace ws
