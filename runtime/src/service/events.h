#pragma once
// Structure events: recorded in the store, then fanned out to in-process subscribers
// (the embedded replacement for the reference's Redis pub/sub).

#include <nlohmann/json.hpp>

#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "ws/workspace_store.h"

namespace ws {

class EventBus {
 public:
  using Subscriber = std::function<void(const Event&)>;

  explicit EventBus(WorkspaceStore& store) : store_(store) {}

  /// Records the event, then broadcasts it. Errors are logged; events never fail a request.
  void record(const std::string& type, const std::optional<std::string>& workspace_id,
              const nlohmann::json& payload = nlohmann::json::object());
  /// Broadcasts without recording (high-frequency facts such as heartbeats).
  void broadcast(const std::string& type, const std::optional<std::string>& workspace_id,
                 const nlohmann::json& payload = nlohmann::json::object());
  /// Broadcasts an event the store already recorded (e.g. inside a status transition).
  void publish(const Event& e);
  void subscribe(Subscriber s);

 private:
  WorkspaceStore& store_;
  std::mutex mutex_;
  std::vector<Subscriber> subscribers_;
};

}  // namespace ws
