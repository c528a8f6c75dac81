#pragma once
// The Store on PostgreSQL, for one or several servers on one database. A small pool of
// connections serves calls concurrently; nothing is cached in the process (another server may
// change any row), except activity rows written behind the caller, which every activity read
// in this process writes first. Work that servers take (the A2A queue) is claimed with row
// locks that skip rows another server holds. The methods are defined one file per data area,
// as the SQLite store's: postgres_workspaces.cpp, postgres_credentials.cpp, postgres_records.cpp,
// postgres_collab.cpp, postgres_approvals.cpp, postgres_kv_memory.cpp, postgres_a2a_queue.cpp.

#include <spdlog/spdlog.h>

#include <cstdint>
#include <exception>
#include <mutex>
#include <string>
#include <type_traits>

#include "store/postgres/pg_db.h"
#include "store/write_behind.h"
#include "ws/store.h"

namespace ws {

/// The columns readActivity reads, in its order (postgres_records.cpp).
extern const char* const kPgActivityColumns;
ActivityRecord readPgActivity(const pqxx::row& r);

class PostgresStore final : public Store {
 public:
  /// Connects to `url` and applies pending migrations; throws when either fails.
  explicit PostgresStore(const std::string& url);

  // Workspaces, tree and events (postgres_workspaces.cpp).
  Result<> insertWorkspaces(const std::vector<NewWorkspace>& rows) override;
  Result<std::optional<Workspace>> findWorkspace(const std::string& id) override;
  Result<std::vector<Workspace>> listWorkspaces() override;
  Result<std::vector<Workspace>> listByStatus(const std::set<Status>& statuses) override;
  Result<std::vector<WorkspaceCount>> countWorkspaces() override;
  Result<bool> updateWorkspace(const std::string& id, const WorkspaceUpdate& u) override;
  Result<bool> transition(const Transition& t) override;
  Result<bool> recordHeartbeat(const HeartbeatUpdate& h) override;
  Result<bool> touchHeartbeat(const std::string& id) override;
  Result<std::vector<std::string>> silentSince(const std::string& older_than) override;
  Result<std::vector<IdleWorkspace>> idleWorkspaces() override;
  Result<std::vector<std::string>> provisioningSince(const std::string& older_than) override;
  Result<std::vector<WorkspaceRef>> children(const std::string& id) override;
  Result<std::vector<WorkspaceRef>> descendants(const std::string& id) override;
  Result<> markRemoved(const std::vector<std::string>& ids, const std::vector<Event>& events) override;
  Result<> purge(const std::vector<std::string>& ids) override;
  Result<std::optional<Viewport>> viewport() override;
  Result<> saveViewport(const Viewport& v) override;
  Result<std::int64_t> appendEvent(const Event& e) override;
  Result<std::vector<Event>> listEvents(const std::optional<std::string>& workspace_id, int limit) override;

  // Credentials (postgres_credentials.cpp).
  Result<> insertToken(const TokenRecord& t) override;
  Result<std::vector<TokenRecord>> liveTokens(const std::string& workspace_id) override;
  Result<bool> hasLiveToken(const std::string& workspace_id) override;
  Result<bool> anyLiveToken() override;
  Result<std::optional<TokenRecord>> findLiveToken(const std::string& hash_hex) override;
  Result<bool> revokeToken(const std::string& workspace_id, const std::string& token_id) override;
  Result<> revokeAllTokens(const std::string& workspace_id) override;
  Result<> touchToken(const std::string& token_id) override;
  Result<> insertOrgToken(const OrgTokenRecord& t) override;
  Result<std::vector<OrgTokenRecord>> liveOrgTokens(int limit) override;
  Result<std::optional<OrgTokenRecord>> findLiveOrgToken(const std::string& hash_hex) override;
  Result<bool> revokeOrgToken(const std::string& id) override;
  Result<> touchOrgToken(const std::string& id) override;
  Result<std::set<std::string>> globalSecretKeys() override;
  Result<> putSecret(const SecretRecord& s) override;
  Result<bool> deleteSecret(const std::string& workspace_id, const std::string& key) override;
  Result<std::vector<SecretRecord>> listSecrets(const std::string& workspace_id) override;

  // Records (postgres_records.cpp).
  Result<> addPlugin(const PluginInstall& p) override;
  Result<bool> removePlugin(const std::string& workspace_id, const std::string& name) override;
  Result<std::vector<PluginInstall>> listPlugins(const std::string& workspace_id) override;
  Result<> putSchedule(const ScheduleRecord& s) override;
  Result<bool> deleteSchedule(const std::string& workspace_id, const std::string& id) override;
  Result<std::vector<ScheduleRecord>> listSchedules(const std::string& workspace_id) override;
  Result<std::vector<ScheduleOverview>> listAllSchedules() override;
  Result<> insertMemory(const MemoryRecord& m) override;
  Result<std::vector<MemoryRecord>> listMemories(const MemoryFilter& f) override;
  Result<bool> deleteMemory(const std::string& workspace_id, const std::string& id) override;
  Result<std::optional<std::string>> workspaceConfig(const std::string& workspace_id) override;
  Result<> mergeWorkspaceConfig(const std::string& workspace_id, const std::string& patch, std::size_t max_bytes) override;
  Result<std::int64_t> insertActivity(const ActivityRecord& a) override;
  void appendActivity(ActivityRecord a) override { activity_behind_.push(std::move(a)); }
  Result<std::vector<ActivityRecord>> listActivity(const ActivityFilter& f) override;
  Result<std::vector<ActivityRecord>> listConversation(const ConversationFilter& f) override;
  Result<KeyedInsert> insertKeyedActivity(const ActivityRecord& a) override;
  Result<std::optional<ActivityRecord>> findDelegation(const std::string& workspace_id,
                                                       const std::string& delegation_id) override;
  Result<bool> setDelegationStatus(const std::string& workspace_id, const std::string& delegation_id,
                                   const std::string& status, const std::string& error_detail) override;
  Result<bool> dispatchDelegation(const std::string& workspace_id, const std::string& delegation_id) override;
  Result<std::vector<ActivityRecord>> failInterruptedDelegations(const std::string& error,
                                                                 const std::string& started_before) override;
  Result<std::vector<SessionItem>> searchSession(const std::string& workspace_id, const std::string& query,
                                                 int limit) override;
  Result<std::vector<NamedMemory>> listAllMemories() override;
  Result<bool> hasMemory(const std::string& workspace_id, const std::string& content, const std::string& scope) override;

  // Approvals (postgres_approvals.cpp).
  Result<> insertApproval(const ApprovalRecord& a) override;
  Result<std::vector<ApprovalRecord>> listApprovals(const std::string& workspace_id, int limit) override;
  Result<std::vector<ApprovalRecord>> listPendingApprovals(int limit) override;
  Result<bool> decideApproval(const std::string& workspace_id, const std::string& id, const std::string& decision,
                              const std::string& decided_by, const std::string& decided_at) override;
  Result<int> expireApprovals(const std::string& created_before, const std::string& decided_by,
                              const std::string& decided_at) override;

  // Key-value memory (postgres_kv_memory.cpp).
  Result<std::vector<KvEntry>> listKv(const std::string& workspace_id, const std::string& now) override;
  Result<std::optional<KvEntry>> getKv(const std::string& workspace_id, const std::string& key,
                                       const std::string& now) override;
  Result<KvOutcome> putKv(const KvWrite& w) override;
  Result<bool> deleteKv(const std::string& workspace_id, const std::string& key) override;
  Result<std::int64_t> purgeActivityBefore(const std::string& older_than) override;
  Result<> putWorkspaceFiles(const std::string& workspace_id, const std::map<std::string, std::string>& files) override;
  Result<std::map<std::string, std::string>> workspaceFiles(const std::string& workspace_id) override;
  Result<> addTokenUsage(const std::string& workspace_id, const std::string& period_start,
                         const TokenUsage& delta) override;
  Result<TokenUsage> tokenUsage(const std::string& workspace_id, const std::string& period_start) override;

  // The busy-agent A2A queue (postgres_a2a_queue.cpp).
  Result<A2aEnqueued> enqueueA2a(const A2aQueueItem& item, const std::string& now) override;
  Result<std::optional<A2aQueueItem>> claimNextA2a(const std::string& workspace_id, const std::string& now) override;
  Result<> completeA2a(const std::string& id, const std::string& now) override;
  Result<> failA2a(const std::string& id, const std::string& error, int max_attempts) override;
  Result<int> dropStaleA2a(const std::string& workspace_id, const std::string& enqueued_before, const std::string& now,
                           const std::string& reason) override;
  Result<int> queuedA2aCount(const std::string& workspace_id) override;
  Result<std::vector<std::string>> workspacesWithQueuedA2a() override;
  Result<int> requeueDispatchedA2a(const std::string& dispatched_before) override;
  Result<std::optional<A2aQueueItem>> findA2aQueueItem(const std::string& id) override;

 private:
  // Runs `fn(pg::Session&)` in one transaction and turns database exceptions into error values.
  template <class Fn>
  auto guarded(Fn fn) -> Result<decltype(fn(std::declval<pg::Session&>()))> {
    return edge([&] { return pool_.transact(fn); });
  }
  // guarded, for one statement: no transaction around it.
  template <class Fn>
  auto single(Fn fn) -> Result<decltype(fn(std::declval<pg::Session&>()))> {
    return edge([&] { return pool_.autocommit(fn); });
  }
  // guarded, for what reads or writes activity rows: the rows queued behind go in first.
  template <class Fn>
  auto withActivity(Fn fn) -> Result<decltype(fn(std::declval<pg::Session&>()))> {
    return edge([&] {
      writeQueuedActivity();
      return pool_.transact(fn);
    });
  }
  template <class Fn>
  auto edge(Fn fn) -> Result<decltype(fn())> {
    try {
      if constexpr (std::is_void_v<decltype(fn())>) {
        fn();
        return {};
      } else {
        return fn();
      }
    } catch (const std::exception& e) {
      spdlog::error("storage: {}", e.what());
      return makeError(Errc::storage_error, "storage error");
    }
  }

  // Helpers that run inside the caller's session (and transaction, if any).
  void insertWorkspaceRow(pg::Session& s, const Workspace& w, const Event& created);
  std::int64_t insertEvent(pg::Session& s, const Event& e);
  void revokeAll(pg::Session& s, const std::string& workspace_id, const std::string& now);
  std::int64_t insertActivityRow(pg::Session& s, const ActivityRecord& a);
  /// Writes up to `most` queued rows (all by default: what a reader needs), then returns:
  /// under activity_mutex_, so a reader that gets it finds every row taken before it committed.
  void writeQueuedActivity(std::size_t most = SIZE_MAX);
  void migrate();

  pg::Pool pool_;
  std::mutex activity_mutex_;
  // Declared after the pool: destroyed first, writing what is queued.
  WriteBehind<ActivityRecord> activity_behind_{
      [this](std::size_t most) {
        try {
          writeQueuedActivity(most);
        } catch (const std::exception& e) {
          spdlog::error("storage: activity written behind: {}", e.what());
        }
      },
      [](const ActivityRecord& a) {
        return sizeof a + a.summary.size() + a.request_body.value_or("").size() + a.response_body.value_or("").size();
      }};
};

}  // namespace ws
