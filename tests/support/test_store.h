#pragma once
// A fresh SQLite store in a temporary file, for unit tests of classes that sit on the store.

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cstdint>
#include <filesystem>

#include "core/util.h"
#include "ws/store.h"

namespace ws::test {

class TempStore {
 public:
  TempStore() {
    path_ = std::filesystem::temp_directory_path() / ("ws-unit-" + newUuid() + ".db");
    auto opened = openSqliteStore(path_.string());
    if (!opened) throw std::runtime_error(opened.error().message);
    store_ = std::move(*opened);
  }
  ~TempStore() {
    store_.reset();
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path_.string() + suffix);
  }
  Store& operator*() { return *store_; }
  Store* operator->() { return store_.get(); }
  const std::filesystem::path& path() const { return path_; }
  /// Rows of `table`, through a connection of its own: what the store has committed.
  std::int64_t countRows(const std::string& table) const {
    sqlite3* c = nullptr;
    sqlite3_open_v2(path_.c_str(), &c, SQLITE_OPEN_READONLY, nullptr);
    sqlite3_stmt* s = nullptr;
    sqlite3_prepare_v2(c, ("SELECT COUNT(*) FROM " + table).c_str(), -1, &s, nullptr);
    const std::int64_t n = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : -1;
    sqlite3_finalize(s);
    sqlite3_close(c);
    return n;
  }
  void reopen() {
    store_.reset();
    auto opened = openSqliteStore(path_.string());
    store_ = std::move(*opened);
  }

 private:
  std::filesystem::path path_;
  StorePtr store_;
};

inline Workspace makeWorkspace(const std::string& name, Status status = Status::provisioning,
                               std::optional<std::string> parent = std::nullopt) {
  Workspace w;
  w.id = newUuid();
  w.name = name;
  w.status = status;
  w.parent_id = std::move(parent);
  w.created_at = w.updated_at = nowTime();
  return w;
}

inline Event createdEvent(const Workspace& w) { return Event{0, "WORKSPACE_PROVISIONING", w.id, "{}", w.created_at}; }

}  // namespace ws::test
