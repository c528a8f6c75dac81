#include "service/memory_backup.h"

#include <cstdio>
#include <ctime>
#include <map>
#include <regex>

#include "core/redact.h"
#include "core/util.h"
#include "service/memories.h"

namespace ws {

std::optional<std::string> MemoryBackup::normalizeTime(const std::string& stamp) {
  static const std::regex kRfc3339(R"((\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2}))");
  std::smatch m;
  if (!std::regex_match(stamp, m, kRfc3339)) return std::nullopt;
  const auto num = [&](int i) { return std::stoi(m[i].str()); };
  std::tm tm{};
  tm.tm_year = num(1) - 1900;
  tm.tm_mon = num(2) - 1;
  tm.tm_mday = num(3);
  tm.tm_hour = num(4);
  tm.tm_min = num(5);
  tm.tm_sec = num(6);
  if (tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60)
    return std::nullopt;
  std::int64_t millis = 0;
  if (m[7].matched) millis = std::stoi((m[7].str().substr(1) + "00").substr(0, 3));
  std::int64_t offset_seconds = 0;
  if (const std::string zone = m[8].str(); zone.size() == 6) {
    const int hours = std::stoi(zone.substr(1, 2));
    const int minutes = std::stoi(zone.substr(4, 2));
    if (hours > 23 || minutes > 59) return std::nullopt;
    offset_seconds = (hours * 3600 + minutes * 60) * (zone[0] == '-' ? -1 : 1);
  }
  const std::int64_t seconds = static_cast<std::int64_t>(timegm(&tm)) - offset_seconds;
  return formatTime(Clock::time_point(std::chrono::milliseconds(seconds * 1000 + millis)));
}

Result<std::vector<NamedMemory>> MemoryBackup::exportAll() {
  auto all = store_.listAllMemories();
  if (!all) return all.error();
  // Stored content is redacted already; once more costs little and covers rows written before
  // a pattern was added.
  for (auto& m : *all) m.memory.content = redactSecrets(m.memory.content);
  return all;
}

Result<MemoryBackup::Counts> MemoryBackup::import(const std::vector<Entry>& entries) {
  if (entries.size() > kMaxEntries)
    return makeError(Errc::too_large, "at most " + std::to_string(kMaxEntries) + " memories per import");
  auto live = store_.listWorkspaces();
  if (!live) return live.error();
  std::map<std::string, const Workspace*> by_id;
  std::multimap<std::string, const Workspace*> by_name;
  for (const auto& w : *live) {
    by_id[w.id] = &w;
    by_name.emplace(w.name, &w);
  }
  const auto resolve = [&](const Entry& e) -> const Workspace* {
    if (auto it = by_id.find(e.workspace_id); it != by_id.end()) return it->second;
    // A name shared by several workspaces names none of them: memories must not land in the
    // wrong agent.
    return by_name.count(e.workspace_name) == 1 ? by_name.find(e.workspace_name)->second : nullptr;
  };

  Counts counts;
  counts.total = static_cast<int>(entries.size());
  for (const auto& e : entries) {
    const Workspace* w = resolve(e);
    if (!w) {
      ++counts.skipped;
      continue;
    }
    if (e.content.empty() || e.memory_namespace.size() > kMaxMemoryNamespace) {
      ++counts.errors;
      continue;
    }
    auto record = makeMemory(*w, e.content, e.scope, e.memory_namespace);
    if (!record) {
      ++counts.errors;
      continue;
    }
    if (!e.created_at.empty()) {
      auto at = normalizeTime(e.created_at);
      if (!at) {
        ++counts.errors;
        continue;
      }
      record->created_at = *at;
    }
    auto exists = store_.hasMemory(w->id, record->content, record->scope);
    if (!exists) return exists.error();
    if (*exists) {
      ++counts.skipped;
      continue;
    }
    if (auto inserted = store_.insertMemory(*record); !inserted) return inserted.error();
    ++counts.imported;
  }
  return counts;
}

}  // namespace ws
