#pragma once
// What a workspace did, read back from its activity log (and memories): the session search,
// the transcript, a page of the log oldest first with a cursor to poll for more, and the traces
// of its agent's runs.

#include <cstdint>
#include <string>
#include <vector>

#include "ws/record_store.h"

namespace ws {

class SessionLog {
 public:
  static constexpr int kSearchLimit = 50;
  static constexpr int kMaxSearchLimit = 200;
  static constexpr std::size_t kMaxQueryBytes = 1000;
  static constexpr int kTranscriptLimit = 100;
  static constexpr int kMaxTranscriptLimit = 1000;
  static constexpr int kTraceLimit = 20;  ///< What the reference asks its tracing service for.
  static constexpr int kMaxTraceLimit = 100;

  explicit SessionLog(RecordStore& store) : store_(store) {}

  /// Activity rows and memories of the workspace whose text contains `query` (trimmed; every
  /// row when empty), newest first. invalid_argument for a query past kMaxQueryBytes.
  Result<std::vector<SessionItem>> search(const std::string& workspace_id, const std::string& query, int limit);

  struct Page {
    std::vector<ActivityRecord> lines;  ///< Oldest first.
    std::int64_t cursor = 0;            ///< Pass as `since` to read on.
    bool more = false;                  ///< Rows past this page exist already.
  };
  /// The workspace's activity after the row `since` (0: from the start), at most `limit` rows.
  Result<Page> transcript(const std::string& workspace_id, std::int64_t since, int limit);

  /// The runs of the workspace's agent, newest first, at most `limit`: one per message it
  /// handled (its a2a_receive rows, with the request, the answer, the tool trace and the time).
  Result<std::vector<ActivityRecord>> traces(const std::string& workspace_id, int limit);

 private:
  RecordStore& store_;
};

}  // namespace ws
