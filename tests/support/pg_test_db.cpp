#include "support/pg_test_db.h"

#include <pqxx/pqxx>

#include <cstdlib>
#include <random>
#include <stdexcept>

namespace ws::test {

std::string testDatabaseUrl() {
  const char* url = std::getenv("WS_TEST_DATABASE_URL");
  if (!url || !*url)
    throw std::runtime_error(
        "WS_TEST_DATABASE_URL is unset: PostgreSQL tests need a cluster. Run them through ctest (which starts the "
        "private one, tests/support/postgres_up.sh), or `source tools/lib/common.sh tools/lib/postgres.sh; "
        "ensure_postgres` and export the URL it sets");
  return url;
}

std::string withDatabase(const std::string& url, const std::string& name) {
  const auto scheme = url.find("://");
  if (scheme == std::string::npos) throw std::runtime_error("WS_TEST_DATABASE_URL is not a URL: " + url);
  const auto query = url.find('?', scheme + 3);
  const auto slash = url.find('/', scheme + 3);
  const auto path_end = query == std::string::npos ? url.size() : query;
  if (slash == std::string::npos || slash > path_end) return url.substr(0, path_end) + "/" + name + url.substr(path_end);
  return url.substr(0, slash + 1) + name + url.substr(path_end);
}

TestDatabase::TestDatabase() {
  const std::string base = testDatabaseUrl();
  std::random_device rd;
  name_ = "ws_test_" + std::to_string(rd()) + std::to_string(rd());
  pqxx::connection c(base);
  pqxx::nontransaction(c).exec("CREATE DATABASE " + name_);
  url_ = withDatabase(base, name_);
}

TestDatabase::~TestDatabase() {
  try {
    pqxx::connection c(testDatabaseUrl());
    pqxx::nontransaction(c).exec("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
  } catch (const std::exception&) {  // a leftover database is harmless; a throwing destructor is not
  }
}

std::int64_t TestDatabase::countRows(const std::string& table) const {
  pqxx::connection c(url_);
  return pqxx::nontransaction(c).exec("SELECT count(*) FROM " + table)[0][0].as<std::int64_t>();
}

void TestDatabase::exec(const std::string& sql) const {
  pqxx::connection c(url_);
  pqxx::nontransaction(c).exec(sql);
}

std::vector<std::vector<std::string>> TestDatabase::rows(const std::string& url, const std::string& sql) {
  pqxx::connection c(url);
  std::vector<std::vector<std::string>> out;
  for (const auto& row : pqxx::nontransaction(c).exec(sql)) {
    std::vector<std::string> r;
    for (const auto& f : row) r.emplace_back(f.is_null() ? "" : f.c_str());
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace ws::test
