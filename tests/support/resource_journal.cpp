#include "resource_journal.h"

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace ws::test {

using nlohmann::json;

namespace {
std::int64_t now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}
}  // namespace

ResourceJournal& ResourceJournal::get() {
  static ResourceJournal journal;
  return journal;
}

ResourceJournal::~ResourceJournal() {
  // A normal exit: every environment has removed what it made (a killed run never gets here).
  std::lock_guard lock(mutex_);
  if (fd_ < 0) return;
  ::close(fd_);
  std::error_code ec;
  std::filesystem::remove(path_, ec);
}

void ResourceJournal::enable() {
  std::lock_guard lock(mutex_);
  enabled_ = true;
}

bool ResourceJournal::enabled() const {
  std::lock_guard lock(mutex_);
  return enabled_;
}

std::string processStartTime(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), {});
  // The command name (field 2) may hold spaces and parentheses: count from the last ')'.
  const auto close = stat.rfind(')');
  if (close == std::string::npos) return "";
  std::istringstream rest(stat.substr(close + 2));
  std::string field;
  for (int i = 3; i <= 22 && rest >> field; ++i)
    if (i == 22) return field;
  return "";
}

void ResourceJournal::openLocked() {
  const char* dir = std::getenv("WS_CONTRACT_STATE");
  const std::filesystem::path base = dir && *dir ? dir : WS_CONTRACT_STATE_DIR;
  std::filesystem::create_directories(base);
  const int pid = static_cast<int>(::getpid());
  const std::string start = processStartTime(pid);
  path_ = (base / (std::to_string(pid) + "-" + start + ".jsonl")).string();
  fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd_ < 0) return;
  std::ifstream cmdline("/proc/self/cmdline");
  std::string args((std::istreambuf_iterator<char>(cmdline)), {});
  for (char& ch : args)
    if (ch == '\0') ch = ' ';
  const std::string line =
      json{{"kind", "run"}, {"pid", pid}, {"start", start}, {"cmdline", args}, {"at", now()}}.dump() + "\n";
  (void)!::write(fd_, line.data(), line.size());
}

void ResourceJournal::record(const std::string& kind, json fields) {
  std::lock_guard lock(mutex_);
  if (!enabled_) return;
  if (fd_ < 0) openLocked();
  if (fd_ < 0) return;
  fields["kind"] = kind;
  fields["at"] = now();
  // One write per line on an O_APPEND descriptor: lines never interleave, and the kernel has
  // the line before the backend call is made, whatever kills the process next.
  const std::string line = fields.dump() + "\n";
  (void)!::write(fd_, line.data(), line.size());
}

void ResourceJournal::recordProcess(const std::string& role, int pid, const std::string& binary, const std::string& dir) {
  record("process", {{"role", role}, {"pid", pid}, {"start", processStartTime(pid)}, {"binary", binary}, {"dir", dir}});
}

std::vector<json> ResourceJournal::recordsMentioning(const std::string& text) const {
  std::lock_guard lock(mutex_);
  std::vector<json> out;
  std::ifstream in(path_);
  for (std::string line; std::getline(in, line);) {
    const json r = json::parse(line, nullptr, false);
    if (r.is_discarded() || r.value("kind", "") == "run") continue;
    for (const auto& [key, value] : r.items())
      if (value.is_string() && value.get<std::string>().find(text) != std::string::npos) {
        out.push_back(r);
        break;
      }
  }
  return out;
}

std::string ResourceJournal::path() const {
  std::lock_guard lock(mutex_);
  return path_;
}

}  // namespace ws::test
