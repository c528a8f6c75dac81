#pragma once
// Typed reads of a JSON request body. The first problem (malformed JSON, a non-object body,
// a field of the wrong type) is kept; handlers read every field, then check error() once.

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace ws {

class JsonInput {
 public:
  /// An empty body reads as an empty object.
  explicit JsonInput(const std::string& body);

  const std::optional<std::string>& error() const { return error_; }
  bool has(const char* key) const { return body_.contains(key); }
  bool isNull(const char* key) const { return has(key) && body_[key].is_null(); }
  const nlohmann::json& body() const { return body_; }

  /// Absent and null read as nullopt; any other non-matching type records an error.
  std::optional<std::string> string(const char* key);
  std::optional<std::int64_t> integer(const char* key);
  std::optional<double> number(const char* key);
  std::optional<bool> boolean(const char* key);
  std::optional<nlohmann::json> object(const char* key);
  /// Any JSON value, returned as compact text.
  std::optional<std::string> rawJson(const char* key);

  /// Records `message` unless an earlier error is already recorded.
  void fail(std::string message);

 private:
  const nlohmann::json* field(const char* key) const;

  nlohmann::json body_ = nlohmann::json::object();
  std::optional<std::string> error_;
};

}  // namespace ws
