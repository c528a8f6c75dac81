#pragma once
// Structure events: recorded in the store, then fanned out to in-process subscribers
// (the embedded replacement for the reference's Redis pub/sub) and, with replicas, through
// an EventRelay to the subscribers of the other servers on the same database.

#include <nlohmann/json.hpp>

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "ws/replicas.h"
#include "ws/workspace_store.h"

namespace ws {

class EventBus {
 public:
  using Subscriber = std::function<void(const Event&)>;

  explicit EventBus(WorkspaceStore& store);
  ~EventBus();
  EventBus(const EventBus&) = delete;
  EventBus& operator=(const EventBus&) = delete;

  /// From now on every event published here goes to the other replicas through `relay`, and
  /// theirs reach this bus's subscribers (and go no further: no echo). Call once, before
  /// traffic; `relay` must outlive the bus.
  void relayThrough(EventRelay& relay);
  /// What the relay carries: the event and the bus it came from, as JSON text.
  static std::string serialise(const Event& e, std::string_view origin);
  /// Tells this bus's events from another's (unique per bus; one bus per process).
  const std::string& origin() const { return origin_; }

  /// Records the event, then broadcasts it. Errors are logged; events never fail a request.
  void record(const std::string& type, const std::optional<std::string>& workspace_id,
              const nlohmann::json& payload = nlohmann::json::object());
  /// Broadcasts without recording (high-frequency facts such as heartbeats).
  void broadcast(const std::string& type, const std::optional<std::string>& workspace_id,
                 const nlohmann::json& payload = nlohmann::json::object());
  /// Broadcasts an event the store already recorded (e.g. inside a status transition): to the
  /// local subscribers, then to the other replicas.
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
  void fanOut(const Event& e);
  /// An event from the relay: to the local subscribers only, unless it is this bus's own.
  void relayed(const std::string& serialised);

  WorkspaceStore& store_;
  const std::string origin_;
  std::atomic<EventRelay*> relay_ = nullptr;
  std::mutex mutex_;
  std::uint64_t next_id_ = 0;
  std::vector<std::pair<std::uint64_t, Subscriber>> subscribers_;
};

}  // namespace ws
