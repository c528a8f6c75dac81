#pragma once
// Small things tests of several areas need: an A2A message body, one sample of the Prometheus
// text, and raw SQL against a stopped (or live, WAL) server's database.

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sqlite3.h>

#include <sstream>
#include <string>

namespace ws::test {

/// A `message/send` body carrying `text`, as a canvas or an agent would send it.
inline nlohmann::json a2aMessage(const std::string& text) {
  return {{"method", "message/send"},
          {"params", {{"message", {{"role", "user"}, {"parts", {{{"kind", "text"}, {"text", text}}}}}}}}};
}

/// The value of the sample `name{labels}` in Prometheus text, or -1 when absent.
inline double metricSample(const std::string& text, const std::string& name, const std::string& labels = "") {
  std::istringstream in(text);
  const std::string prefix = labels.empty() ? name + " " : name + "{" + labels + "} ";
  for (std::string line; std::getline(in, line);)
    if (line.rfind(prefix, 0) == 0) return std::stod(line.substr(prefix.size()));
  return -1;
}

/// Runs `sql` on the database file at `db_path` (waiting up to 5 s for the server's lock).
inline void execSql(const std::string& db_path, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(db_path.c_str(), &db), SQLITE_OK);
  sqlite3_busy_timeout(db, 5000);
  char* error = nullptr;
  EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error), SQLITE_OK) << (error ? error : "");
  sqlite3_free(error);
  sqlite3_close(db);
}

}  // namespace ws::test
