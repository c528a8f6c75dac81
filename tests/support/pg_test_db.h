#pragma once
// Fresh PostgreSQL databases for tests, on the cluster WS_TEST_DATABASE_URL names (./tools/test
// and ctest start a private one: tools/lib/postgres.sh). Unset, a test that needs one fails.

#include <cstdint>
#include <string>
#include <vector>

namespace ws::test {

/// WS_TEST_DATABASE_URL; throws (failing the test) with how to get one when it is unset.
std::string testDatabaseUrl();

/// A database created for one test (ws_test_<random>) and dropped when this goes.
class TestDatabase {
 public:
  TestDatabase();
  ~TestDatabase();
  TestDatabase(const TestDatabase&) = delete;
  TestDatabase& operator=(const TestDatabase&) = delete;
  const std::string& url() const { return url_; }
  /// Rows of `table`, through a connection of its own: what the store has committed.
  std::int64_t countRows(const std::string& table) const;
  /// Runs `sql` (tests that set up a state no route reaches).
  void exec(const std::string& sql) const;
  /// Every row `sql` returns on the database at `url`, each column as text (NULL as "").
  static std::vector<std::vector<std::string>> rows(const std::string& url, const std::string& sql);

 private:
  std::string name_, url_;
};

/// `url` with its database name replaced by `name`.
std::string withDatabase(const std::string& url, const std::string& name);

}  // namespace ws::test
