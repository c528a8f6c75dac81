#include "service/live_events.h"

#include <nlohmann/json.hpp>

#include <algorithm>

#include "core/json.h"
#include "core/util.h"

namespace ws {

LiveEvents::LiveEvents(EventBus& bus, WorkspaceStore& store, std::size_t queue_limit)
    : bus_(bus), store_(store), queue_limit_(queue_limit), subscription_(bus.subscribe([this](const Event& e) { deliver(e); })) {}

Result<std::shared_ptr<Feed>> LiveEvents::open(const LiveScope& scope, LiveWire wire, LiveGrant grant) {
  Client c{std::make_shared<Feed>(queue_limit_), scope, wire, std::nullopt, std::move(grant)};
  if (scope.kind_ == LiveScope::Kind::peers) {
    auto w = store_.findWorkspace(scope.id_);
    if (!w) return w.error();
    if (!*w || (*w)->status == Status::removed) return makeError(Errc::not_found, "workspace not found");
    c.parent_id = (*w)->parent_id;
  }
  std::lock_guard lock(mutex_);
  std::erase_if(clients_, [](const Client& old) { return old.feed->closed(); });
  clients_.push_back(c);
  return c.feed;
}

void LiveEvents::recheck(const std::string& authority) { bus_.broadcast(kRecheckEvent, std::nullopt, {{"authority", authority}}); }

void LiveEvents::recheckAll() { bus_.broadcast(kRecheckEvent, std::nullopt, {{"all", true}}); }

void LiveEvents::recheckWhere(const std::string* authority) {
  std::vector<Client> granted;
  {
    std::lock_guard lock(mutex_);
    for (const auto& c : clients_)
      if (c.grant.allowed && (!authority || c.grant.authority == *authority) && !c.feed->closed()) granted.push_back(c);
  }
  // The grants ask the store: outside the lock, which delivery holds.
  for (const auto& c : granted)
    if (!c.grant.allowed()) c.feed->close();
}

std::size_t LiveEvents::clients() {
  std::lock_guard lock(mutex_);
  return static_cast<std::size_t>(std::count_if(clients_.begin(), clients_.end(), [](const Client& c) { return !c.feed->closed(); }));
}

std::size_t LiveEvents::clients(LiveWire wire) {
  std::lock_guard lock(mutex_);
  return static_cast<std::size_t>(std::count_if(clients_.begin(), clients_.end(),
                                                [wire](const Client& c) { return c.wire == wire && !c.feed->closed(); }));
}

std::string LiveEvents::render(const Event& e, LiveWire wire) {
  auto payload = parseJsonOr(e.payload, nlohmann::json::object());
  if (wire == LiveWire::envelope)
    return nlohmann::json{{"type", e.event_type}, {"timestamp", unixMillis(e.created_at).value_or(0)}, {"data", std::move(payload)}}
        .dump();
  return nlohmann::json{{"event", e.event_type},
                        {"workspace_id", e.workspace_id.value_or("")},
                        {"timestamp", e.created_at},
                        {"payload", std::move(payload)}}
      .dump();
}

std::optional<LiveEvents::Place> LiveEvents::placeOf(const std::string& workspace_id) {
  auto w = store_.findWorkspace(workspace_id);
  if (!w || !*w) return std::nullopt;  // a removed one still has its place: its peers hear of the removal
  Place p{workspace_id, (*w)->parent_id, {}};
  for (auto up = p.parent_id; up && p.ancestors.size() < 64;) {  // bounded against corrupt cycles
    p.ancestors.push_back(*up);
    auto row = store_.findWorkspace(*up);
    up = row && *row ? (*row)->parent_id : std::nullopt;
  }
  return p;
}

// The rule of canCommunicate (service/hierarchy.cpp), with the target's place looked up once per
// event rather than once per client.
bool LiveEvents::sees(const Client& c, const Event& e, const std::optional<Place>& place) {
  switch (c.scope.kind_) {
    case LiveScope::Kind::everything: return true;
    case LiveScope::Kind::workspace: return e.workspace_id == c.scope.id_;
    case LiveScope::Kind::peers: {
      if (!e.workspace_id) return false;
      if (*e.workspace_id == c.scope.id_) return true;
      if (!place) return false;
      const std::string& me = c.scope.id_;
      return c.parent_id == place->parent_id || place->parent_id == me || c.parent_id == place->id ||
             std::find(place->ancestors.begin(), place->ancestors.end(), me) != place->ancestors.end();
    }
  }
  return false;
}

void LiveEvents::deliver(const Event& e) {
  if (e.event_type == kRecheckEvent) {  // from this replica or another: for us, not the clients
    const auto what = parseJsonOr(e.payload, nlohmann::json::object());
    if (what.is_object() && what.contains("all") && what["all"] == true) return recheckWhere(nullptr);
    if (const auto it = what.find("authority"); it != what.end() && it->is_string()) {
      const std::string authority = it->get<std::string>();
      recheckWhere(&authority);
    }
    return;
  }
  std::lock_guard lock(mutex_);
  if (clients_.empty()) return;
  const bool any_peers = std::any_of(clients_.begin(), clients_.end(),
                                     [](const Client& c) { return c.scope.kind_ == LiveScope::Kind::peers; });
  const auto place = any_peers && e.workspace_id ? placeOf(*e.workspace_id) : std::nullopt;
  std::optional<std::string> forms[2];  // rendered once per event, on first use
  bool closed = false;
  for (auto& c : clients_) {
    if (!sees(c, e, place)) continue;
    auto& form = forms[static_cast<int>(c.wire)];
    if (!form) form = render(e, c.wire);
    closed |= !c.feed->push(*form);
    if (e.workspace_id != c.scope.id_ || c.scope.kind_ == LiveScope::Kind::everything) continue;
    // The client's own workspace: removed, its streams end (after this last event); moved, a
    // peers client's view follows it.
    if (e.event_type == "WORKSPACE_REMOVED") {
      c.feed->close();
      closed = true;
    } else if (c.scope.kind_ == LiveScope::Kind::peers && e.event_type == "WORKSPACE_UPDATED" && place) {
      c.parent_id = place->parent_id;
    }
  }
  if (closed) std::erase_if(clients_, [](const Client& c) { return c.feed->closed(); });
}

}  // namespace ws
