#include "core/http_wire.h"

#include <boost/beast/http/status.hpp>

#include <charconv>

#include "core/util.h"

namespace ws {
namespace {

// A field line; CR and LF never reach the wire, so no value can start a header of its own.
void field(std::string& out, std::string_view name, std::string_view value) {
  out += name;
  out += ": ";
  const std::size_t start = out.size();
  out += value;
  // A plain loop: find_first_of tests each byte with a call of its own, and some values (the
  // security policy) are long.
  for (std::size_t i = start; i < out.size(); ++i)
    if (out[i] == '\r' || out[i] == '\n') out[i] = ' ';
  out += "\r\n";
}

bool named(const HeaderList& headers, std::string_view name) {
  for (const auto& h : headers)
    if (equalsIgnoringCase(h.first, name)) return true;
  return false;
}

// As a Beast message would hold them: a later header replaces an earlier one of the same
// name, and the framing headers are the message's own.
void fields(std::string& out, const HeaderList& headers) {
  for (std::size_t i = 0; i < headers.size(); ++i) {
    const auto& name = headers[i].first;
    if (equalsIgnoringCase(name, "content-length") || equalsIgnoringCase(name, "connection") ||
        equalsIgnoringCase(name, "transfer-encoding"))
      continue;
    bool replaced = false;
    for (std::size_t j = i + 1; j < headers.size() && !replaced; ++j) replaced = equalsIgnoringCase(headers[j].first, name);
    if (!replaced) field(out, name, headers[i].second);
  }
}

void number(std::string& out, std::size_t n) {
  char digits[24];
  const auto end = std::to_chars(digits, digits + sizeof digits, n).ptr;
  out.append(digits, end);
}

}  // namespace

std::string httpRequestHead(std::string_view method, std::string_view target, std::string_view host,
                            std::string_view content_type, const HeaderList& headers, std::size_t content_length,
                            bool keep_alive) {
  std::string out;
  out.reserve(128 + target.size() + host.size());
  out += method;
  out += ' ';
  out += target;
  out += " HTTP/1.1\r\n";
  if (!named(headers, "host")) field(out, "Host", host);
  if (content_length > 0 && !named(headers, "content-type")) field(out, "Content-Type", content_type);
  fields(out, headers);
  out += "Content-Length: ";
  number(out, content_length);
  out += "\r\n";
  if (!keep_alive) out += "Connection: close\r\n";
  out += "\r\n";
  return out;
}

std::string httpResponseHead(int status, unsigned version, std::string_view content_type, const HeaderList& headers,
                             std::size_t content_length, bool keep_alive) {
  std::string out;
  out.reserve(512);
  out += version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ";
  number(out, static_cast<std::size_t>(status));
  out += ' ';
  const auto reason = boost::beast::http::obsolete_reason(static_cast<boost::beast::http::status>(status));
  out.append(reason.data(), reason.size());
  out += "\r\n";
  if (!named(headers, "server")) out += "Server: workspace-server\r\n";
  if (!content_type.empty() && !named(headers, "content-type")) field(out, "Content-Type", content_type);
  fields(out, headers);
  if (statusHasBody(status)) {
    out += "Content-Length: ";
    number(out, content_length);
    out += "\r\n";
  }
  if (version == 10 && keep_alive) out += "Connection: keep-alive\r\n";
  if (version != 10 && !keep_alive) out += "Connection: close\r\n";
  out += "\r\n";
  return out;
}

}  // namespace ws
