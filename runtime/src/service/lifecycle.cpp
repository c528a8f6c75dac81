#include "service/lifecycle.h"

#include <cctype>

#include "core/util.h"

namespace ws {

std::string eventTypeOf(Status status) {
  if (status == Status::failed) return "WORKSPACE_PROVISION_FAILED";  // the reference's name
  std::string type = "WORKSPACE_";
  for (char ch : std::string(toString(status))) type += static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  return type;
}

std::set<Status> Lifecycle::sourcesOf(Status to) {
  std::set<Status> out;
  for (int i = 0; i <= static_cast<int>(Status::awaiting_agent); ++i) {
    const auto from = static_cast<Status>(i);
    if (canTransition(from, to)) out.insert(from);
  }
  return out;
}

Result<bool> Lifecycle::change(const StatusChange& c) {
  std::set<Status> from = sourcesOf(c.status);
  if (!c.only_from.empty()) {
    std::set<Status> narrowed;
    for (Status s : c.only_from)
      if (from.count(s)) narrowed.insert(s);
    from = std::move(narrowed);
  }
  if (from.empty()) return false;
  Transition t;
  t.workspace_id = c.workspace_id;
  t.to = c.status;
  t.from = std::move(from);
  t.event_type = eventTypeOf(c.status);
  t.event_payload = c.payload.dump();
  t.url = c.url;
  t.last_sample_error = c.last_sample_error;
  auto changed = store_.transition(t);
  if (changed && *changed)
    events_.publish(Event{0, t.event_type, c.workspace_id, t.event_payload, nowTime()});
  return changed;
}

}  // namespace ws
