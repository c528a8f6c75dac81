#pragma once
// Live events (runtime-spec 6.1 "/ws", "events/stream"): every event of the EventBus, recorded
// or not, rendered once as the reference's message {event, workspace_id, timestamp, payload}
// and fanned out to the feeds of the connected clients their scope lets see it.

#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/feed.h"
#include "service/events.h"
#include "ws/errors.h"
#include "ws/workspace_store.h"

namespace ws {

/// Which events a client sees.
class LiveScope {
 public:
  /// Every event (the canvas; the admin).
  static LiveScope everything() { return LiveScope(Kind::everything, ""); }
  /// The events of one workspace (its SSE stream).
  static LiveScope workspace(std::string id) { return LiveScope(Kind::workspace, std::move(id)); }
  /// The events of every workspace `id` may communicate with, its own included (an agent on /ws).
  static LiveScope peersOf(std::string id) { return LiveScope(Kind::peers, std::move(id)); }

 private:
  enum class Kind { everything, workspace, peers };
  LiveScope(Kind kind, std::string id) : kind_(kind), id_(std::move(id)) {}
  friend class LiveEvents;
  Kind kind_;
  std::string id_;
};

/// Who let a client in, asked again when credentials change: `authority` is the workspace whose
/// token it showed ("" for an admin credential); `allowed` answers whether that still holds.
struct LiveGrant {
  std::string authority;
  std::function<bool()> allowed;
};

/// How a client receives an event: the hub's message {event, workspace_id, timestamp (RFC 3339),
/// payload}, or the SSE envelope {type, timestamp (Unix ms), data} of a workspace's stream.
enum class LiveWire { message, envelope };

class LiveEvents {
 public:
  /// `queue_limit`: how many messages a client may fall behind before it is dropped.
  LiveEvents(EventBus& bus, WorkspaceStore& store, std::size_t queue_limit = 1024);

  /// A feed of the events in `scope` from now on; the client's session closes it when it leaves.
  Result<std::shared_ptr<Feed>> open(const LiveScope& scope, LiveWire wire, LiveGrant grant = {});
  /// Ends the streams let in under `authority` whose grant no longer holds: a revoked token
  /// stops receiving at once, not at its next reconnect. Asked through the bus, so the streams
  /// of every replica are rechecked (kRecheckEvent never reaches a client).
  void recheck(const std::string& authority);
  /// recheck for every authority: an org token opens any workspace's streams.
  void recheckAll();
  static constexpr const char* kRecheckEvent = "LIVE_GRANTS_CHANGED";
  /// Clients connected now.
  std::size_t clients();
  /// Clients connected now that receive `wire` (message: the /ws hub; envelope: SSE streams).
  std::size_t clients(LiveWire wire);
  /// The wire forms of one event.
  static std::string render(const Event& e, LiveWire wire);

 private:
  struct Client {
    std::shared_ptr<Feed> feed;
    LiveScope scope;
    LiveWire wire;
    std::optional<std::string> parent_id;  ///< Of a peers client's workspace, at connection.
    LiveGrant grant;
  };
  // Where an event's workspace sits, for the peers rule of canCommunicate.
  struct Place {
    std::string id;
    std::optional<std::string> parent_id;
    std::vector<std::string> ancestors;  ///< Parent first.
  };
  void deliver(const Event& e);
  void recheckWhere(const std::string* authority);  ///< null: every authority
  std::optional<Place> placeOf(const std::string& workspace_id);
  static bool sees(const Client& c, const Event& e, const std::optional<Place>& place);

  EventBus& bus_;
  WorkspaceStore& store_;
  const std::size_t queue_limit_;
  std::mutex mutex_;
  std::vector<Client> clients_;
  EventBus::Subscription subscription_;  ///< Last: unsubscribes before the members above go.
};

}  // namespace ws
