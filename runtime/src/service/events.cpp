#include "service/events.h"

#include <spdlog/spdlog.h>

#include "core/json.h"
#include "core/util.h"

namespace ws {

EventBus::EventBus(WorkspaceStore& store) : store_(store), origin_(newUuid()) {}

EventBus::~EventBus() {
  if (auto* relay = relay_.load()) relay->receive({});  // nothing arrives for a bus that is gone
}

void EventBus::relayThrough(EventRelay& relay) {
  relay.receive([this](const std::string& serialised) { relayed(serialised); });
  relay_ = &relay;
}

std::string EventBus::serialise(const Event& e, std::string_view origin) {
  return nlohmann::json{{"origin", origin},
                        {"id", e.id},
                        {"event_type", e.event_type},
                        {"workspace_id", e.workspace_id ? nlohmann::json(*e.workspace_id) : nlohmann::json()},
                        {"payload", e.payload},
                        {"created_at", e.created_at}}
      .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void EventBus::relayed(const std::string& serialised) {
  Event e;
  try {
    const auto j = parseJsonOr(serialised, nlohmann::json());
    if (j.at("origin").get_ref<const std::string&>() == origin_) return;  // our own, echoed back
    e.id = j.at("id").get<std::int64_t>();
    e.event_type = j.at("event_type").get<std::string>();
    if (const auto& w = j.at("workspace_id"); !w.is_null()) e.workspace_id = w.get<std::string>();
    e.payload = j.at("payload").get<std::string>();
    e.created_at = j.at("created_at").get<std::string>();
  } catch (const nlohmann::json::exception& bad) {
    spdlog::warn("event relay: dropped a message that is not an event: {}", bad.what());
    return;
  }
  fanOut(e);
}

void EventBus::record(const std::string& type, const std::optional<std::string>& workspace_id,
                      const nlohmann::json& payload) {
  Event e{0, type, workspace_id, payload.dump(), nowTime()};
  auto id = store_.appendEvent(e);
  if (!id) {
    spdlog::error("event {} not recorded: {}", type, id.error().message);
    return;
  }
  e.id = *id;
  publish(e);
}

void EventBus::broadcast(const std::string& type, const std::optional<std::string>& workspace_id,
                         const nlohmann::json& payload) {
  publish(Event{0, type, workspace_id, payload.dump(), nowTime()});
}

void EventBus::publish(const Event& e) {
  fanOut(e);
  if (auto* relay = relay_.load()) relay->publish(serialise(e, origin_));
}

void EventBus::fanOut(const Event& e) {
  // Under the lock, so that no subscriber is called after its handle is gone. Subscribers are
  // few (the live-event hub, tests) and quick.
  std::lock_guard lock(mutex_);
  for (const auto& [id, s] : subscribers_) s(e);
}

EventBus::Subscription EventBus::subscribe(Subscriber s) {
  std::lock_guard lock(mutex_);
  subscribers_.emplace_back(++next_id_, std::move(s));
  return Subscription(*this, next_id_);
}

void EventBus::unsubscribe(std::uint64_t id) {
  std::lock_guard lock(mutex_);
  std::erase_if(subscribers_, [id](const auto& entry) { return entry.first == id; });
}

}  // namespace ws
