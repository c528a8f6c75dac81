#pragma once
// Structure events: recorded in the store, then fanned out to in-process subscribers
// (the embedded replacement for the reference's Redis pub/sub).

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
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

  /// Calls `s` with every event published from now on, on the publishing thread, until the
  /// returned handle is destroyed. `s` must be quick and must not block.
  class Subscription {
   public:
    Subscription(EventBus& bus, std::uint64_t id) : bus_(&bus), id_(id) {}
    ~Subscription() { if (bus_) bus_->unsubscribe(id_); }
    Subscription(Subscription&& o) noexcept : bus_(std::exchange(o.bus_, nullptr)), id_(o.id_) {}
    Subscription(const Subscription&) = delete;
    Subscription& operator=(const Subscription&) = delete;
    Subscription& operator=(Subscription&&) = delete;

   private:
    EventBus* bus_;
    std::uint64_t id_;
  };
  [[nodiscard]] Subscription subscribe(Subscriber s);

 private:
  void unsubscribe(std::uint64_t id);

  WorkspaceStore& store_;
  std::mutex mutex_;
  std::uint64_t next_id_ = 0;
  std::vector<std::pair<std::uint64_t, Subscriber>> subscribers_;
};

}  // namespace ws
