#pragma once
// Small things tests of several areas need: an A2A message body, one sample of the Prometheus
// text, and raw SQL against a server's database (SQLite or PostgreSQL).

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <sstream>
#include <string>
#include <vector>

#include "support/server_process.h"

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

/// Runs `sql` on the database of a server started on `db_path`, SQLite's file or its PostgreSQL
/// database (ServerProcess::sql): SQL both understand.
inline std::vector<std::vector<std::string>> execSql(const std::string& db_path, const std::string& sql) {
  try {
    return databaseSql(db_path, sql);
  } catch (const std::exception& e) {
    ADD_FAILURE() << sql << ": " << e.what();
    return {};
  }
}

/// The stamp (formatTime's form, UTC with milliseconds) of `ago` before now: SQL both stores read.
inline std::string stampAgo(std::chrono::seconds ago) {
  const auto t = std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now() - ago);
  const std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm utc{};
  gmtime_r(&secs, &utc);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &utc);
  const auto ms = (t.time_since_epoch().count() % 1000 + 1000) % 1000;
  char out[48];
  std::snprintf(out, sizeof out, "%s.%03dZ", buf, static_cast<int>(ms));
  return out;
}

}  // namespace ws::test
