#include "config.h"

#include <algorithm>
#include <fstream>
#include <regex>
#include <sstream>
#include <utility>

namespace parity {
namespace {

std::string trim(std::string s) {
  const auto b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  s = s.substr(b, s.find_last_not_of(" \t\r") - b + 1);
  if (s.size() >= 2 && (s.front() == '\'' || s.front() == '"') && s.back() == s.front()) s = s.substr(1, s.size() - 2);
  return s;
}

std::string lastComponent(const std::string& name) {
  const auto colons = name.rfind("::");
  return colons == std::string::npos ? name : name.substr(colons + 2);
}

}  // namespace

std::map<std::string, std::string> readCheckOptions(const std::string& text) {
  static const std::regex kEntry(R"(^\s+(-\s+)?([\w.-]+)\s*:\s*(.*)$)");
  std::map<std::string, std::string> out;
  std::istringstream in(text);
  std::string line, pending_key;
  bool inside = false;
  while (std::getline(in, line)) {
    if (line.rfind("CheckOptions:", 0) == 0) { inside = true; continue; }
    if (!inside || line.empty() || line[0] == '#') continue;
    if (line[0] != ' ' && line[0] != '-') break;  // the next top-level key
    std::smatch m;
    if (!std::regex_match(line, m, kEntry)) continue;
    const std::string key = m[2], value = trim(m[3]);
    if (key == "key") pending_key = value;                                      // list form
    else if (key == "value" && !pending_key.empty()) out[std::exchange(pending_key, "")] = value;
    else out[key] = value;                                                      // map form
  }
  return out;
}

std::vector<std::string> splitList(const std::string& value) {
  std::vector<std::string> out;
  std::istringstream in(value);
  for (std::string item; std::getline(in, item, ';');)
    if (auto t = trim(item); !t.empty()) out.push_back(t);
  return out;
}

bool DispatchConfig::isDispatcher(const std::string& name) const {
  if (!suffix.empty() && name.size() > suffix.size() && name.ends_with(suffix)) return true;
  return std::find(gates.begin(), gates.end(), name) != gates.end();
}

DispatchConfig readDispatchConfig(const std::filesystem::path& root) {
  DispatchConfig c;
  std::ifstream in(root / ".clang-tidy", std::ios::binary);
  if (!in) return c;
  std::ostringstream ss;
  ss << in.rdbuf();
  c.options = readCheckOptions(ss.str());
  for (const char* key : {kDirectSuffixOption, kSuffixOption})  // the second wins
    if (auto it = c.options.find(key); it != c.options.end()) c.suffix = it->second;
  for (const char* key : {kGateOption, kNullCheckOption})
    if (auto it = c.options.find(key); it != c.options.end())
      for (const auto& name : splitList(it->second))
        if (std::find(c.gates.begin(), c.gates.end(), lastComponent(name)) == c.gates.end())
          c.gates.push_back(lastComponent(name));
  if (auto it = c.options.find(kAllowedFilesOption); it != c.options.end()) c.allowed_files = splitList(it->second);
  return c;
}

}  // namespace parity
