#pragma once
// A thin RAII layer over libpqxx: a small pool of connections, statements prepared once per
// connection, parameters as text or NULL, and one transaction (or autocommit) per store call.
// Exceptions stay inside the store; PostgresStore turns them into Errc::storage_error.

#include <pqxx/pqxx>

#include <charconv>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace ws::pg {

/// A statement parameter: its text form, or NULL.
using Param = std::optional<std::string>;

inline Param param(std::string_view v) { return std::string(v); }
inline Param param(const std::string& v) { return v; }
inline Param param(const char* v) { return std::string(v); }
inline Param param(std::int64_t v) { return std::to_string(v); }
inline Param param(int v) { return std::to_string(v); }
inline Param param(bool v) { return std::string(v ? "true" : "false"); }
inline Param param(double v) {
  char buf[32];
  const auto end = std::to_chars(buf, buf + sizeof buf, v).ptr;  // shortest form that reads back exactly
  return std::string(buf, end);
}
inline Param param(std::nullopt_t) { return std::nullopt; }
template <class T>
Param param(const std::optional<T>& v) {
  return v ? param(*v) : std::nullopt;
}

/// Bytes as hex, for `decode($n, 'hex')` into a bytea column; and back from `encode(c, 'hex')`.
std::string toHex(std::string_view bytes);
std::string fromHex(std::string_view hex);

// Reading fields.
inline std::string text(const pqxx::field& f) { return f.is_null() ? std::string() : std::string(f.c_str(), f.size()); }
inline std::optional<std::string> optText(const pqxx::field& f) {
  return f.is_null() ? std::nullopt : std::optional<std::string>(text(f));
}
inline std::int64_t integer(const pqxx::field& f) { return f.is_null() ? 0 : f.as<std::int64_t>(); }
inline std::optional<std::int64_t> optInteger(const pqxx::field& f) {
  return f.is_null() ? std::nullopt : std::optional<std::int64_t>(f.as<std::int64_t>());
}
inline double real(const pqxx::field& f) { return f.is_null() ? 0 : f.as<double>(); }
inline bool boolean(const pqxx::field& f) { return !f.is_null() && f.as<bool>(); }

/// Reads every row of `r` with `read`.
template <class Reader>
auto collect(const pqxx::result& r, Reader read) -> std::vector<decltype(read(r[0]))> {
  std::vector<decltype(read(r[0]))> out;
  out.reserve(r.size());
  for (const auto& row : r) out.push_back(read(row));
  return out;
}

class Pool;

/// One connection of the pool, with the names of the statements prepared on it.
struct Connection {
  explicit Connection(const std::string& url) : conn(url) {}
  pqxx::connection conn;
  std::unordered_set<std::string> prepared;
};

/// A connection lent to one store call, inside a transaction or (autocommit) not.
class Session {
 public:
  Session(Pool& pool, Connection& c, bool transaction);

  /// Runs `sql`, prepared on this connection the first time it meets this text.
  template <class... Args>
  pqxx::result exec(const std::string& sql, const Args&... args) {
    return execParams(sql, std::vector<Param>{param(args)...});
  }
  pqxx::result execParams(const std::string& sql, const std::vector<Param>& params);
  /// Unprepared SQL without parameters (schema migrations).
  void execRaw(const std::string& sql) { tx_->exec(sql); }
  /// Serialises the rest of this transaction with every other one that takes the same key
  /// (a transaction-scoped advisory lock; a hash collision only serialises more).
  void lock(std::string_view scope, const std::string& key);
  void commit() { tx_->commit(); }

 private:
  Pool& pool_;
  Connection& c_;
  std::unique_ptr<pqxx::transaction_base> tx_;
};

class Pool {
 public:
  /// Connects once at once (so a bad URL or an unreachable server fails here); more
  /// connections open on demand, up to `size`.
  Pool(std::string url, std::size_t size);

  /// Runs `fn(Session&)` in one transaction, committed when it returns.
  template <class Fn>
  auto transact(Fn&& fn) { return run(true, std::forward<Fn>(fn)); }
  /// Runs `fn(Session&)` with each statement committed on its own (one-statement calls).
  template <class Fn>
  auto autocommit(Fn&& fn) { return run(false, std::forward<Fn>(fn)); }

  /// The name `sql` is prepared under, the same on every connection.
  std::string statementName(const std::string& sql);

 private:
  template <class Fn>
  auto run(bool transaction, Fn&& fn) {
    Lease lease(*this);
    Session s(*this, *lease.c, transaction);
    if constexpr (std::is_void_v<decltype(fn(s))>) {
      fn(s);
      s.commit();
    } else {
      auto out = fn(s);
      s.commit();
      return out;
    }
  }

  // A connection taken for one call; back to the pool after, unless it broke.
  struct Lease {
    explicit Lease(Pool& p) : pool(p), c(p.take()) {}
    ~Lease() { pool.give(std::move(c)); }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    Pool& pool;
    std::unique_ptr<Connection> c;
  };
  std::unique_ptr<Connection> take();
  void give(std::unique_ptr<Connection> c);

  const std::string url_;
  const std::size_t size_;
  std::mutex mutex_;
  std::condition_variable returned_;
  std::vector<std::unique_ptr<Connection>> idle_;
  std::size_t open_ = 0;  // idle and lent
  std::unordered_map<std::string, std::string> names_;  // statement text -> name
};

}  // namespace ws::pg
