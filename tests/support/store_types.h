#pragma once
// The store suite runs unchanged on every store: typed tests over TempStore (SQLite in a
// temporary file) and TempPostgresStore (a fresh PostgreSQL database per test).

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <type_traits>

#include "support/pg_test_db.h"
#include "support/test_store.h"

namespace ws::test {

class TempPostgresStore {
 public:
  TempPostgresStore() { open(); }
  ~TempPostgresStore() { store_.reset(); }  // before its database is dropped
  Store& operator*() { return *store_; }
  Store* operator->() { return store_.get(); }
  void reopen() {
    store_.reset();
    open();
  }
  std::int64_t countRows(const std::string& table) const { return db_.countRows(table); }

 private:
  void open() {
    auto opened = openPostgresStore(db_.url());
    if (!opened) throw std::runtime_error(opened.error().message);
    store_ = std::move(*opened);
  }
  TestDatabase db_;
  StorePtr store_;
};

using StoreTypes = ::testing::Types<TempStore, TempPostgresStore>;

struct StoreTypeNames {
  template <class T>
  static std::string GetName(int) {
    return std::is_same_v<T, TempStore> ? "Sqlite" : "Postgres";
  }
};

}  // namespace ws::test
