#pragma once
// The replica plumbing on PostgreSQL (ws/replicas.h, docs/architecture.md "Replicas"): leases
// as rows of the `leases` table, events over LISTEN/NOTIFY on the channel `ws_events`. Both
// keep connections of their own, apart from the store's pool, and read time from the
// database's clock, so replicas whose clocks drift still agree on who holds what.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "store/postgres/pg_db.h"
#include "ws/replicas.h"

namespace ws {

/// Each job's lease is one row (job, holder, expires_at): taken when free or expired, renewed
/// by its holder, released when this process ends cleanly.
class PgLeases final : public Leases {
 public:
  /// Connects at once (throws when it cannot). `ttl`: how long a lease outlives its holder's
  /// last renewal, so longer than the slowest job's period.
  PgLeases(const std::string& url, std::chrono::seconds ttl);
  /// Releases the leases this process holds: another replica takes them at its next tick.
  ~PgLeases() override;
  bool holds(std::string_view job) override;
  /// This process's holder id (random, one per process).
  const std::string& holder() const { return holder_; }

 private:
  pg::Pool pool_;
  const std::string holder_;
  const std::chrono::seconds ttl_;
};

/// publish() queues the event and returns: a sender thread packs what is queued into few
/// notifications (events joined by newlines, each notification under 8000 bytes, the limit of
/// NOTIFY) and sends them with `pg_notify('ws_events', ...)`, so a burst of heartbeats costs a
/// few round trips and never holds up the thread that published. An event longer than a
/// notification (or holding a raw newline) goes into `relay_overflow` and its id is notified
/// instead. A dedicated connection on its own thread LISTENs and hands each event to the
/// receiver, and listens again after a drop (what was sent meanwhile is lost: live events are
/// best effort, as are those beyond kMaxQueued waiting to be sent).
class PgRelay final : public EventRelay {
 public:
  /// Connects at once (throws when it cannot) and starts listening.
  explicit PgRelay(std::string url);
  /// Sends what is queued, then stops both threads.
  ~PgRelay() override;
  void publish(const std::string& serialised) override;
  void receive(Receiver receiver) override;

  /// The longest notification; a longer event goes through relay_overflow.
  static constexpr std::size_t kMaxInline = 7999;
  /// Events waiting to be sent past which new ones are dropped (the database is not keeping up).
  static constexpr std::size_t kMaxQueued = 10'000;

 private:
  // The listening loop: on `first` (connected in the constructor), then on fresh connections.
  void listen(std::unique_ptr<pqxx::connection> first);
  void deliver(pqxx::connection& conn, const std::string& payload);
  void hand(const std::string& event);
  // The sending loop, and one batch of events sent in order.
  void sendQueued();
  void send(const std::vector<std::string>& events);

  const std::string url_;
  pg::Pool pool_;
  std::mutex receiver_mutex_;
  Receiver receiver_;
  std::atomic<bool> stopping_ = false;
  std::promise<void> listening_;  ///< Set once the first LISTEN is done (or failed).
  bool listened_ = false;         ///< The listener thread's own.
  std::mutex queue_mutex_;
  std::condition_variable queued_cv_;
  std::vector<std::string> queued_;
  bool sender_stopping_ = false;
  std::size_t dropped_ = 0;
  std::thread listener_;
  std::thread sender_;
};

}  // namespace ws
