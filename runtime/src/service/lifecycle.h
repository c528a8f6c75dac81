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

/// The structure event that records entering `status` (WORKSPACE_ONLINE, WORKSPACE_PROVISION_FAILED, ...).
std::string eventTypeOf(Status status);

/// A status change, built by name: StatusChange::to(Status::offline, id, {{"reason", why}})
/// .from({Status::online}). Its event is the one of the status it enters.
struct StatusChange {
  static StatusChange to(Status status, std::string workspace_id,
                         nlohmann::json payload = nlohmann::json::object()) {
    StatusChange c;
    c.workspace_id = std::move(workspace_id);
    c.status = status;
    c.payload = std::move(payload);
    return c;
  }
  /// Only from these statuses (within what the state machine allows).
  StatusChange& from(std::set<Status> sources) {
    only_from = std::move(sources);
    return *this;
  }
  /// Also sets the workspace's agent URL ("" clears it).
  StatusChange& withUrl(std::string u) {
    url = std::move(u);
    return *this;
  }
  /// Also records the workspace's last error.
  StatusChange& withError(std::string e) {
    last_sample_error = std::move(e);
    return *this;
  }

  std::string workspace_id;
  Status status = Status::provisioning;
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
