#include "store/postgres/pg_replicas.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <utility>
#include <vector>

#include "core/util.h"

namespace ws {
namespace {

constexpr const char* kChannel = "ws_events";
// A payload that names a relay_overflow row rather than carrying the event (events are JSON
// objects, so they never start with it).
constexpr char kOverflowMark = '@';
// Overflow rows are read within moments by every listener; older ones are nobody's.
constexpr const char* kOverflowKept = "5 minutes";
// How often the listener looks at `stopping_` while no notification comes.
constexpr long kWaitMicros = 200'000;

// Collects what one wait brings: the connection must not run queries inside its own callback.
class Collector final : public pqxx::notification_receiver {
 public:
  Collector(pqxx::connection_base& c, std::vector<std::string>& out) : notification_receiver(c, kChannel), out_(out) {}
  void operator()(const std::string& payload, int) override { out_.push_back(payload); }

 private:
  std::vector<std::string>& out_;
};

}  // namespace

ReplicaLinks ReplicaLinks::postgres(const std::string& url, std::chrono::seconds lease_ttl) {
  return {std::make_shared<PgLeases>(url, lease_ttl), std::make_shared<PgRelay>(url)};
}

PgLeases::PgLeases(const std::string& url, std::chrono::seconds ttl) : pool_(url, 1), holder_(newUuid()), ttl_(ttl) {}

PgLeases::~PgLeases() {
  try {
    pool_.autocommit([&](pg::Session& s) { s.exec("DELETE FROM leases WHERE holder = $1", holder_); });
  } catch (const std::exception& e) {
    spdlog::warn("leases: not released ({}): they expire in {} s", e.what(), ttl_.count());
  }
}

bool PgLeases::holds(std::string_view job) {
  try {
    return pool_.autocommit([&](pg::Session& s) {
      // One statement: the row lock orders two replicas that ask at once; the loser's WHERE
      // then sees the winner's unexpired lease and returns nothing.
      return !s.exec("INSERT INTO leases (job, holder, expires_at) "
                     "VALUES ($1, $2, clock_timestamp() + make_interval(secs => $3)) "
                     "ON CONFLICT (job) DO UPDATE SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at "
                     "WHERE leases.holder = EXCLUDED.holder OR leases.expires_at < clock_timestamp() "
                     "RETURNING 1",
                     std::string(job), holder_, static_cast<std::int64_t>(ttl_.count()))
                  .empty();
    });
  } catch (const std::exception& e) {
    spdlog::warn("leases: {} not taken: {}", job, e.what());
    return false;  // run nowhere rather than twice
  }
}

PgRelay::PgRelay(std::string url) : url_(std::move(url)), pool_(url_, 1) {
  // Listening before the constructor returns: nothing published once the server is up is missed.
  auto first = std::make_unique<pqxx::connection>(url_);
  auto listening = listening_.get_future();
  listener_ = std::thread([this, c = std::move(first)]() mutable { listen(std::move(c)); });
  listening.wait();
  sender_ = std::thread([this] { sendQueued(); });
}

PgRelay::~PgRelay() {
  {
    std::lock_guard lock(queue_mutex_);
    sender_stopping_ = true;
  }
  queued_cv_.notify_one();
  sender_.join();
  stopping_ = true;
  if (listener_.joinable()) listener_.join();
}

void PgRelay::publish(const std::string& serialised) {
  {
    std::lock_guard lock(queue_mutex_);
    if (queued_.size() >= kMaxQueued) {
      if (dropped_++ % kMaxQueued == 0)
        spdlog::warn("event relay: the database is not keeping up; events for the other replicas are dropped");
      return;
    }
    queued_.push_back(serialised);
    if (queued_.size() > 1) return;  // the sender is already awake
  }
  queued_cv_.notify_one();
}

void PgRelay::sendQueued() {
  std::unique_lock lock(queue_mutex_);
  for (;;) {
    queued_cv_.wait(lock, [&] { return sender_stopping_ || !queued_.empty(); });
    if (queued_.empty()) return;  // stopping, and everything sent
    auto events = std::exchange(queued_, {});
    lock.unlock();
    send(events);
    lock.lock();
  }
}

void PgRelay::send(const std::vector<std::string>& events) {
  // Each notification in its own transaction: PostgreSQL folds identical payloads of one
  // transaction into one, and two packs of the same events would be identical.
  const auto notify = [&](const std::string& payload) {
    pool_.autocommit([&](pg::Session& s) { s.exec("SELECT pg_notify($1, $2)", kChannel, payload); });
  };
  try {
    std::string pack;
    for (const auto& event : events) {
      if (event.size() > kMaxInline || event.find('\n') != std::string::npos) {
        if (!pack.empty()) notify(std::exchange(pack, {}));
        // Notified at commit, so the row is there when a listener reads it.
        pool_.transact([&](pg::Session& s) {
          const auto id =
              pg::integer(s.exec("INSERT INTO relay_overflow (payload) VALUES ($1) RETURNING id", event)[0][0]);
          s.exec("DELETE FROM relay_overflow WHERE created_at < now() - $1::interval", kOverflowKept);
          s.exec("SELECT pg_notify($1, $2)", kChannel, kOverflowMark + std::to_string(id));
        });
        continue;
      }
      if (!pack.empty() && pack.size() + 1 + event.size() > kMaxInline) notify(std::exchange(pack, {}));
      if (!pack.empty()) pack += '\n';
      pack += event;
    }
    if (!pack.empty()) notify(pack);
  } catch (const std::exception& e) {
    spdlog::warn("event relay: {} event(s) were not sent to the other replicas: {}", events.size(), e.what());
  }
}

void PgRelay::receive(Receiver receiver) {
  std::lock_guard lock(receiver_mutex_);
  receiver_ = std::move(receiver);
}

void PgRelay::deliver(pqxx::connection& conn, const std::string& payload) {
  if (!payload.empty() && payload[0] == kOverflowMark) {
    pqxx::nontransaction tx(conn);
    const auto r = tx.exec_params("SELECT payload FROM relay_overflow WHERE id = $1", payload.substr(1));
    if (r.empty()) return spdlog::warn("event relay: overflow row {} is gone: an event was lost", payload.substr(1));
    return hand(pg::text(r[0][0]));
  }
  for (std::size_t start = 0; start <= payload.size();) {  // a pack: events joined by newlines
    const auto end = std::min(payload.find('\n', start), payload.size());
    hand(payload.substr(start, end - start));
    start = end + 1;
  }
}

void PgRelay::hand(const std::string& event) {
  std::lock_guard lock(receiver_mutex_);
  if (receiver_) receiver_(event);
}

void PgRelay::listen(std::unique_ptr<pqxx::connection> conn) {
  while (!stopping_) {
    try {
      if (!conn) {
        conn = std::make_unique<pqxx::connection>(url_);
        spdlog::info("event relay: listening again");
      }
      std::vector<std::string> arrived;
      Collector collector(*conn, arrived);  // LISTEN, at once
      if (!listened_) {
        listened_ = true;
        listening_.set_value();
      }
      while (!stopping_) {
        conn->await_notification(0, kWaitMicros);
        // A dropped connection may answer "nothing" rather than throw.
        if (!conn->is_open()) throw pqxx::broken_connection("connection closed");
        for (const auto& payload : arrived) deliver(*conn, payload);
        arrived.clear();
      }
    } catch (const std::exception& e) {
      conn.reset();
      if (!listened_) {  // the first LISTEN failed: the constructor goes on, we retry
        listened_ = true;
        listening_.set_value();
      }
      if (stopping_) break;
      spdlog::warn("event relay: listening connection lost ({}): events from other replicas are missed until it is back",
                   e.what());
      for (int i = 0; i < 5 && !stopping_; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
  }
}

}  // namespace ws
