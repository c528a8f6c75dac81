#pragma once
// A thin RAII layer over the SQLite C API: one connection, cached prepared statements,
// typed binds and column reads, and scoped transactions.

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace ws::sqlite {

/// Thrown inside the store implementation only; converted to Errc::storage_error at its edge.
struct SqliteError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class Statement {
 public:
  explicit Statement(sqlite3_stmt* stmt) : stmt_(stmt) {}
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  /// Resets and clears bindings so the statement can be reused.
  Statement& reset();
  Statement& bind(int i, std::string_view v);
  Statement& bind(int i, const char* v) { return bind(i, std::string_view(v)); }
  Statement& bind(int i, std::int64_t v);
  Statement& bind(int i, int v) { return bind(i, static_cast<std::int64_t>(v)); }
  Statement& bind(int i, double v);
  Statement& bind(int i, bool v) { return bind(i, static_cast<std::int64_t>(v ? 1 : 0)); }
  Statement& bindNull(int i);
  Statement& bindBlob(int i, std::string_view bytes);
  template <class T>
  Statement& bind(int i, const std::optional<T>& v) {
    return v ? bind(i, *v) : bindNull(i);
  }
  /// Binds text without copying it: the bytes must stay put until the statement has run (the
  /// next prepare() of the same text resets it). For large values on a hot path.
  Statement& bindBorrowed(int i, std::string_view v);
  Statement& bindBorrowed(int i, const std::string& v) { return bindBorrowed(i, std::string_view(v)); }
  Statement& bindBorrowed(int i, const std::optional<std::string>& v) { return v ? bindBorrowed(i, *v) : bindNull(i); }

  /// Advances to the next row; false when done.
  bool step();
  /// Runs a statement that returns no rows.
  void run() { while (step()) {} }

  bool isNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  std::string text(int col) const;
  std::string blob(int col) const;
  std::optional<std::string> optText(int col) const;
  std::int64_t integer(int col) const { return sqlite3_column_int64(stmt_, col); }
  std::optional<std::int64_t> optInteger(int col) const;
  double real(int col) const { return sqlite3_column_double(stmt_, col); }

 private:
  sqlite3_stmt* stmt_;
};

class Database {
 public:
  explicit Database(const std::string& path);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  void exec(const std::string& sql);
  /// A prepared statement for `sql`, cached and reset; valid until the next prepare of the same text.
  Statement& prepare(const std::string& sql);
  int changes() const { return sqlite3_changes(db_); }
  sqlite3* handle() const { return db_; }

 private:
  sqlite3* db_ = nullptr;
  std::unordered_map<std::string, std::unique_ptr<Statement>> cache_;
};

/// BEGIN IMMEDIATE on construction; ROLLBACK unless commit() was called.
class Transaction {
 public:
  explicit Transaction(Database& db) : db_(db) { db_.exec("BEGIN IMMEDIATE"); }
  ~Transaction() {
    if (!done_) {
      try {
        db_.exec("ROLLBACK");
      } catch (...) {
      }
    }
  }
  void commit() {
    db_.exec("COMMIT");
    done_ = true;
  }

 private:
  Database& db_;
  bool done_ = false;
};

/// Reads every remaining row of `s` with `read`.
template <class Reader>
auto collect(Statement& s, Reader read) -> std::vector<decltype(read(s))> {
  std::vector<decltype(read(s))> out;
  while (s.step()) out.push_back(read(s));
  return out;
}

}  // namespace ws::sqlite
