#pragma once
// Markdown pieces shared by the sections of docs/backends.md (which lives in docs/, so links
// into the tree start with ../).

#include <string>

#include "model.h"

namespace parity::md {

/// Text for a table cell: pipes escaped, newlines folded.
inline std::string cell(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '|') out += "\\|";
    else if (c == '\n') out += ' ';
    else out += c;
  }
  return out;
}

/// `[file.cpp:12](../dir/file.cpp#L12)`
inline std::string link(const Location& at) {
  const auto slash = at.file.rfind('/');
  const std::string base = slash == std::string::npos ? at.file : at.file.substr(slash + 1);
  return "[" + base + ":" + std::to_string(at.line) + "](../" + at.file + "#L" + std::to_string(at.line) + ")";
}

/// A tracking reference as a link where it names something linkable: a URL, a file under
/// docs/ ("docs/roadmap.md#x"), a roadmap anchor ("roadmap#x"). Anything else ("#12") as text.
inline std::string trackingLink(const std::string& ref) {
  if (ref.starts_with("http://") || ref.starts_with("https://")) return "<" + ref + ">";
  if (ref.starts_with("docs/")) return "[" + cell(ref) + "](" + ref.substr(5) + ")";
  if (ref.starts_with("roadmap#")) return "[" + cell(ref) + "](roadmap.md" + ref.substr(7) + ")";
  return cell(ref);
}

}  // namespace parity::md
