#include "service/events.h"

#include <spdlog/spdlog.h>

#include "core/util.h"

namespace ws {

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
