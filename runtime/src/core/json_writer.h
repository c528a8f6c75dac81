#pragma once
// A streaming JSON writer for hot, large responses (the workspace list): it appends straight
// into one string instead of building a DOM first, which is several times faster.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ws {

class JsonWriter {
 public:
  explicit JsonWriter(std::string& out) : out_(out) {}

  JsonWriter& beginObject() { return open('{'); }
  JsonWriter& endObject() { return close('}'); }
  JsonWriter& beginArray() { return open('['); }
  JsonWriter& endArray() { return close(']'); }

  /// Writes `"name":` inside an object; the next call writes its value.
  JsonWriter& key(std::string_view name);
  JsonWriter& value(std::string_view s);
  JsonWriter& value(const char* s) { return value(std::string_view(s)); }
  JsonWriter& value(const std::string& s) { return value(std::string_view(s)); }
  JsonWriter& value(std::int64_t n);
  JsonWriter& value(int n) { return value(static_cast<std::int64_t>(n)); }
  JsonWriter& value(double d);
  JsonWriter& value(bool b);
  JsonWriter& null();
  /// A value that is already JSON text (e.g. produced by nlohmann::json::dump()).
  JsonWriter& raw(std::string_view json);
  template <class T>
  JsonWriter& value(const std::optional<T>& v) {
    return v ? value(*v) : null();
  }

  /// Appends `s` JSON-escaped (without the quotes). Input is valid UTF-8.
  static void escape(std::string& out, std::string_view s);

 private:
  JsonWriter& open(char c);
  JsonWriter& close(char c);
  void separate();

  std::string& out_;
  std::vector<bool> first_;  ///< Per open container: no element written yet.
  bool after_key_ = false;
};

}  // namespace ws
