#pragma once
// Status changes. Every change is checked against the state machine (ws/status.h), applied
// with a guard on the current status, recorded as a structure event in the same transaction,
// and then broadcast.

#include <nlohmann/json.hpp>

#include <optional>
#include <set>
#include <string>

#include "service/events.h"
#include "ws/store.h"

namespace ws {

struct StatusChange {
  std::string workspace_id;
  Status to = Status::provisioning;
  std::string event_type;
  nlohmann::json payload = nlohmann::json::object();
  std::set<Status> only_from;  ///< Narrows the allowed sources further, when not empty.
  std::optional<std::string> url;
  std::optional<std::string> last_sample_error;
};

class Lifecycle {
 public:
  Lifecycle(Store& store, EventBus& events) : store_(store), events_(events) {}

  /// Applies the change if the current status allows it. Returns whether it happened.
  Result<bool> change(const StatusChange& c);

  /// The statuses from which `to` may be entered, per the state machine.
  static std::set<Status> sourcesOf(Status to);

  Store& store() { return store_; }
  EventBus& events() { return events_; }

 private:
  Store& store_;
  EventBus& events_;
};

}  // namespace ws
