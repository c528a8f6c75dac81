#pragma once
// What several servers on one database coordinate through (docs/architecture.md "Replicas"):
// leases, so that each background job runs on one replica, and an event relay, so that the
// live clients of every replica see every event. Liveness needs neither: it lives in the
// workspace rows (WorkspaceStore::silentSince). One process on SQLite uses the in-process
// implementations below: every lease granted, nothing relayed.

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace ws {

/// Leadership per background job. A job's tick asks first and is skipped when this replica
/// does not hold its lease; work claimed row by row (the A2A queue's claimNextA2a) needs no
/// lease: the claim itself is atomic.
class Leases {
 public:
  virtual ~Leases() = default;
  /// Whether this replica may run `job` now: takes the lease when it is free (or its holder's
  /// expired), renews it when already held. Never blocks for long; on doubt (the database
  /// unreachable) it answers false, so a job runs nowhere rather than twice.
  virtual bool holds(std::string_view job) = 0;
};

/// One process: every lease is its own.
class LocalLeases final : public Leases {
 public:
  bool holds(std::string_view) override { return true; }
};

/// Carries events between the replicas. It only transports text: the event bus serialises an
/// event with its origin (one per bus) and drops what comes back from itself, so a relay may
/// echo a replica's own events (as LISTEN/NOTIFY does) without loops.
class EventRelay {
 public:
  using Receiver = std::function<void(const std::string& serialised)>;
  virtual ~EventRelay() = default;
  /// Sends to the other replicas. Quick: never waits for them; a failure is logged and lost
  /// (live events are best effort, the recorded ones stay in the store).
  virtual void publish(const std::string& serialised) = 0;
  /// Calls `receiver` with what other replicas publish, on the relay's own thread, from now on;
  /// replaces the previous receiver, and an empty one detaches: once this returns, the old
  /// receiver is never called again.
  virtual void receive(Receiver receiver) = 0;
};

/// One process: nothing to relay to.
class NoRelay final : public EventRelay {
 public:
  void publish(const std::string&) override {}
  void receive(Receiver) override {}
};

/// The replica plumbing the server is wired with.
struct ReplicaLinks {
  std::shared_ptr<Leases> leases;
  /// Null: nothing to relay to, and the bus does not even serialise its events.
  std::shared_ptr<EventRelay> relay;

  /// One server on its own database (SQLite).
  static ReplicaLinks local() { return {std::make_shared<LocalLeases>(), nullptr}; }
  /// Servers sharing the PostgreSQL database at `url`: leases in it (`lease_ttl` past the
  /// last renewal) and LISTEN/NOTIFY (store/postgres/pg_replicas.h). Throws when it cannot
  /// connect.
  static ReplicaLinks postgres(const std::string& url, std::chrono::seconds lease_ttl);
};

}  // namespace ws
