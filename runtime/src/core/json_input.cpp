#include "core/json_input.h"

#include <cmath>

#include "core/json.h"

namespace ws {

JsonInput::JsonInput(const std::string& body) {
  if (body.find_first_not_of(" \t\r\n") == std::string::npos) return;
  auto parsed = parseJson(body);
  if (!parsed) {
    fail(parsed.error().message);
  } else if (!parsed->is_object()) {
    fail("request body must be a JSON object");
  } else {
    body_ = std::move(*parsed);
  }
}

void JsonInput::fail(std::string message) {
  if (!error_) error_ = std::move(message);
}

const nlohmann::json* JsonInput::field(const char* key) const {
  auto it = body_.find(key);
  if (it == body_.end() || it->is_null()) return nullptr;
  return &*it;
}

std::optional<std::string> JsonInput::string(const char* key) {
  const auto* v = field(key);
  if (!v) return std::nullopt;
  if (!v->is_string()) {
    fail(std::string(key) + " must be a string");
    return std::nullopt;
  }
  return v->get<std::string>();
}

std::optional<std::int64_t> JsonInput::integer(const char* key) {
  const auto* v = field(key);
  if (!v) return std::nullopt;
  if (v->is_number_integer()) return v->get<std::int64_t>();
  if (v->is_number_float()) {
    const double d = v->get<double>();
    if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9e15) return static_cast<std::int64_t>(d);
  }
  fail(std::string(key) + " must be an integer");
  return std::nullopt;
}

std::optional<double> JsonInput::number(const char* key) {
  const auto* v = field(key);
  if (!v) return std::nullopt;
  if (!v->is_number()) {
    fail(std::string(key) + " must be a number");
    return std::nullopt;
  }
  return v->get<double>();
}

std::optional<bool> JsonInput::boolean(const char* key) {
  const auto* v = field(key);
  if (!v) return std::nullopt;
  if (!v->is_boolean()) {
    fail(std::string(key) + " must be a boolean");
    return std::nullopt;
  }
  return v->get<bool>();
}

std::optional<nlohmann::json> JsonInput::object(const char* key) {
  const auto* v = field(key);
  if (!v) return std::nullopt;
  if (!v->is_object()) {
    fail(std::string(key) + " must be an object");
    return std::nullopt;
  }
  return *v;
}

std::optional<std::string> JsonInput::rawJson(const char* key) {
  const auto* v = field(key);
  if (!v) return std::nullopt;
  return v->dump();
}

}  // namespace ws
