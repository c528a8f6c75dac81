#pragma once
// The replica plumbing on PostgreSQL (ws/replicas.h, docs/architecture.md "Replicas"): leases
// as rows of the `leases` table, events over LISTEN/NOTIFY on the channel `ws_events`. Both
// keep connections of their own, apart from the store's pool, and read time from the
// database's clock, so replicas whose clocks drift still agree on who holds what.

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>

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

/// publish() is `pg_notify('ws_events', event)` on a small pool; a dedicated connection on its
/// own thread LISTENs and hands what arrives to the receiver, and listens again after a drop
/// (what was sent meanwhile is lost: live events are best effort). NOTIFY carries under 8000
/// bytes: a larger event goes into `relay_overflow` and its id is notified instead.
class PgRelay final : public EventRelay {
 public:
  /// Connects at once (throws when it cannot) and starts listening.
  explicit PgRelay(std::string url);
  ~PgRelay() override;
  void publish(const std::string& serialised) override;
  void receive(Receiver receiver) override;

  /// The longest event sent inline; a longer one goes through relay_overflow.
  static constexpr std::size_t kMaxInline = 7999;

 private:
  // The listening loop: on `first` (connected in the constructor), then on fresh connections.
  void listen(std::unique_ptr<pqxx::connection> first);
  void deliver(pqxx::connection& conn, const std::string& payload);

  const std::string url_;
  pg::Pool pool_;
  std::mutex receiver_mutex_;
  Receiver receiver_;
  std::atomic<bool> stopping_ = false;
  std::thread listener_;
};

}  // namespace ws
