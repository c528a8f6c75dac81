#pragma once
// Markdown pieces shared by the sections of the rendered doc (Layout::doc; links into the tree
// are relative to where it lives).

#include <filesystem>
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

/// Links from the doc (Layout::doc) to files of the tree, relative to the doc's directory.
class Links {
 public:
  explicit Links(const std::string& doc) : dir_(std::filesystem::path(doc).parent_path()) {}

  /// `file` (relative to the root) as seen from the doc.
  std::string to(const std::string& file) const {
    return dir_.empty() ? file : std::filesystem::path(file).lexically_relative(dir_).generic_string();
  }

  /// `[file.cpp:12](../dir/file.cpp#L12)`
  std::string at(const Location& loc) const {
    const auto slash = loc.file.rfind('/');
    const std::string base = slash == std::string::npos ? loc.file : loc.file.substr(slash + 1);
    return "[" + base + ":" + std::to_string(loc.line) + "](" + to(loc.file) + "#L" + std::to_string(loc.line) + ")";
  }

  /// A tracking reference as a link where it names something linkable: a URL, a file under
  /// docs/ or a Markdown file of the tree ("docs/roadmap.md#x", "README.md#logs"), a roadmap
  /// anchor ("roadmap#x": docs/roadmap.md). Anything else ("#12") as text.
  std::string tracking(const std::string& ref) const {
    if (ref.starts_with("http://") || ref.starts_with("https://")) return "<" + ref + ">";
    const auto hash = ref.find('#');
    const std::string file = ref.substr(0, hash), anchor = hash == std::string::npos ? "" : ref.substr(hash);
    const bool path = !file.empty() && file.find_first_of(" \t") == std::string::npos;
    if (path && (file.starts_with("docs/") || file.ends_with(".md")))
      return "[" + cell(ref) + "](" + to(file) + anchor + ")";
    if (ref.starts_with("roadmap#")) return "[" + cell(ref) + "](" + to("docs/roadmap.md") + anchor + ")";
    return cell(ref);
  }

 private:
  std::filesystem::path dir_;
};

}  // namespace parity::md
