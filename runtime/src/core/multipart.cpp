#include "core/multipart.h"

#include <cctype>
#include <utility>

namespace ws {
namespace {

Error malformed(std::string why) { return makeError(Errc::invalid_argument, "malformed multipart body: " + why); }

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

/// A header value "type; k=v; k2="quoted; value"" as its type and parameters (names lower-case).
struct HeaderValue {
  std::string type;
  std::vector<std::pair<std::string, std::string>> params;
  std::optional<std::string> param(std::string_view name) const {
    for (const auto& [k, v] : params)
      if (k == name) return v;
    return std::nullopt;
  }
};

std::optional<HeaderValue> parseHeaderValue(std::string_view s) {
  HeaderValue out;
  const auto semi = s.find(';');
  out.type = lower(trim(s.substr(0, semi)));
  std::size_t i = semi == std::string_view::npos ? s.size() : semi;
  while (i < s.size()) {
    if (s[i] == ';' || s[i] == ' ' || s[i] == '\t') {
      ++i;
      continue;
    }
    const auto eq = s.find('=', i);
    if (eq == std::string_view::npos) return std::nullopt;
    std::string key = lower(trim(s.substr(i, eq - i)));
    std::string value;
    i = eq + 1;
    if (i < s.size() && s[i] == '"') {
      for (++i; i < s.size() && s[i] != '"'; ++i) {
        if (s[i] == '\\' && i + 1 < s.size()) ++i;
        value += s[i];
      }
      if (i >= s.size()) return std::nullopt;  // unterminated quote
      ++i;
    } else {
      const auto end = s.find(';', i);
      value = std::string(trim(s.substr(i, end == std::string_view::npos ? std::string_view::npos : end - i)));
      i = end == std::string_view::npos ? s.size() : end;
    }
    if (key.empty()) return std::nullopt;
    out.params.emplace_back(std::move(key), std::move(value));
  }
  return out;
}

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/// An RFC 5987 ext-value (UTF-8''percent%20encoded); nothing when it is not one.
std::optional<std::string> decodeExtValue(std::string_view v) {
  const auto quote = v.find("''");
  if (quote == std::string_view::npos || lower(v.substr(0, quote)) != "utf-8") return std::nullopt;
  std::string out;
  for (std::size_t i = quote + 2; i < v.size(); ++i) {
    if (v[i] != '%') {
      out += v[i];
      continue;
    }
    if (i + 2 >= v.size() || hexValue(v[i + 1]) < 0 || hexValue(v[i + 2]) < 0) return std::nullopt;
    out += static_cast<char>(hexValue(v[i + 1]) * 16 + hexValue(v[i + 2]));
    i += 2;
  }
  return out;
}

Result<FormPart> readPartHeaders(std::string_view block) {
  FormPart part;
  bool disposition = false;
  while (!block.empty()) {
    const auto eol = block.find("\r\n");
    const auto line = block.substr(0, eol);
    block = eol == std::string_view::npos ? std::string_view() : block.substr(eol + 2);
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) return malformed("a part header without a colon");
    const std::string name = lower(trim(line.substr(0, colon)));
    const auto value = trim(line.substr(colon + 1));
    if (name == "content-type") {
      part.content_type = std::string(value);
    } else if (name == "content-disposition") {
      auto parsed = parseHeaderValue(value);
      if (!parsed || parsed->type != "form-data") return malformed("a part that is not form-data");
      disposition = true;
      part.name = parsed->param("name").value_or("");
      if (auto ext = parsed->param("filename*"))
        if (auto decoded = decodeExtValue(*ext)) part.filename = std::move(decoded);
      if (!part.filename) part.filename = parsed->param("filename");
    }
  }
  if (!disposition) return malformed("a part without Content-Disposition");
  return part;
}

}  // namespace

Result<std::vector<FormPart>> parseMultipartForm(std::string_view content_type, std::string_view body,
                                                 MultipartLimits limits) {
  auto type = parseHeaderValue(content_type);
  if (!type || type->type != "multipart/form-data")
    return makeError(Errc::invalid_argument, "expected a multipart/form-data body");
  const std::string boundary = type->param("boundary").value_or("");
  if (boundary.empty() || boundary.size() > 70) return makeError(Errc::invalid_argument, "multipart boundary missing or too long");
  const std::string dash = "--" + boundary;
  const std::string delimiter = "\r\n" + dash;

  // The first boundary opens the body or ends a preamble.
  std::size_t pos = 0;
  if (body.substr(0, dash.size()) == dash) {
    pos = dash.size();
  } else {
    const auto first = body.find(delimiter);
    if (first == std::string_view::npos) return malformed("no boundary");
    pos = first + delimiter.size();
  }
  std::vector<FormPart> parts;
  for (;;) {
    if (body.substr(pos, 2) == "--") return parts;  // the closing boundary
    while (pos < body.size() && (body[pos] == ' ' || body[pos] == '\t')) ++pos;
    if (body.substr(pos, 2) != "\r\n") return malformed("no line break after a boundary");
    pos += 2;
    if (parts.size() == limits.max_parts) return malformed("more than " + std::to_string(limits.max_parts) + " parts");
    std::string_view block;
    if (body.substr(pos, 2) == "\r\n") {
      pos += 2;  // no headers at all
    } else {
      const auto end = body.find("\r\n\r\n", pos);
      if (end == std::string_view::npos || end - pos > limits.max_header_bytes) return malformed("part headers unterminated or too long");
      block = body.substr(pos, end - pos);
      pos = end + 4;
    }
    auto part = readPartHeaders(block);
    if (!part) return part.error();
    const auto next = body.find(delimiter, pos);
    if (next == std::string_view::npos) return malformed("a part without its closing boundary");
    part->content = body.substr(pos, next - pos);
    parts.push_back(std::move(*part));
    pos = next + delimiter.size();
  }
}

}  // namespace ws
