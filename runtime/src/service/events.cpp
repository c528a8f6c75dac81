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
  std::vector<Subscriber> subs;
  {
    std::lock_guard lock(mutex_);
    subs = subscribers_;
  }
  for (const auto& s : subs) s(e);
}

void EventBus::subscribe(Subscriber s) {
  std::lock_guard lock(mutex_);
  subscribers_.push_back(std::move(s));
}

}  // namespace ws
