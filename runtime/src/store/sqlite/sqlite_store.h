#pragma once
// The embedded Store: one SQLite connection in WAL mode, serialised by a mutex. SQLite writes
// are single-writer anyway; reads are short and indexed. The methods are defined one file per
// data area: sqlite_workspaces.cpp, sqlite_credentials.cpp, sqlite_records.cpp, sqlite_collab.cpp
// (delegations, session search, the memory backup), sqlite_approvals.cpp, sqlite_kv_memory.cpp,
// sqlite_a2a_queue.cpp.

#include <spdlog/spdlog.h>

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <type_traits>

#include "store/sqlite/sqlite_db.h"
#include "store/generation_cache.h"
#include "store/write_behind.h"
#include "ws/store.h"

namespace ws {

/// The columns readActivity reads, in its order (sqlite_records.cpp).
extern const char* const kActivityColumns;
ActivityRecord readActivity(const sqlite::Statement& r);

class SqliteStore final : public Store {
 public:
  explicit SqliteStore(const std::string& path);

  // Workspaces, tree and events (sqlite_workspaces.cpp).
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

  // Credentials (sqlite_credentials.cpp).
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

  // Records (sqlite_records.cpp).
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

  // Approvals (sqlite_approvals.cpp).
  Result<> insertApproval(const ApprovalRecord& a) override;
  Result<std::vector<ApprovalRecord>> listApprovals(const std::string& workspace_id, int limit) override;
  Result<std::vector<ApprovalRecord>> listPendingApprovals(int limit) override;
  Result<bool> decideApproval(const std::string& workspace_id, const std::string& id, const std::string& decision,
                              const std::string& decided_by, const std::string& decided_at) override;
  Result<int> expireApprovals(const std::string& created_before, const std::string& decided_by,
                              const std::string& decided_at) override;

  // Key-value memory (sqlite_kv_memory.cpp).
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

  // The busy-agent A2A queue (sqlite_a2a_queue.cpp).
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
  // Runs `fn` under the connection lock and turns database exceptions into error values.
  template <class Fn>
  auto guarded(Fn fn) -> Result<decltype(fn())> {
    std::lock_guard lock(mutex_);
    try {
      if constexpr (std::is_void_v<decltype(fn())>) {
        fn();
        return {};
      } else {
        return fn();
      }
    } catch (const sqlite::SqliteError& e) {
      spdlog::error("storage: {}", e.what());
      return makeError(Errc::storage_error, "storage error");
    }
  }

  // guarded, for what reads or writes activity rows: the rows queued behind go in first.
  template <class Fn>
  auto withActivity(Fn fn) {
    return guarded([&] {
      writeQueuedActivity();
      return fn();
    });
  }

  // Helpers that run inside the caller's guarded section (and transaction, if any).
  // One workspace with its canvas row and event, inside the caller's transaction.
  void insertWorkspaceRow(const Workspace& w, const Event& created);
  std::int64_t insertEvent(const Event& e);
  void revokeAll(const std::string& workspace_id, const std::string& now);
  std::int64_t insertActivityRow(const ActivityRecord& a);
  /// Writes up to `most` queued rows (all by default: what a reader needs) in one transaction.
  void writeQueuedActivity(std::size_t most = SIZE_MAX);
  void migrate();

  std::mutex mutex_;
  sqlite::Database db_;

  // What the hot paths look up on every request (the A2A proxy, the auth gates), cached
  // exactly: SQLite's update hook moves the generation on any change to the workspaces,
  // their canvas rows or tokens. One process, one connection: a store shared by replicas
  // must not keep these caches.
  static void onRowChange(void* self, int op, const char* db, const char* table, sqlite3_int64 rowid);
  std::atomic<std::uint64_t> generation_{0};
  GenerationCache<Workspace> workspace_cache_{generation_, [](const Workspace& w) {
    return sizeof w + (w.agent_card ? w.agent_card->size() : 0) + w.name.size() + w.url.size();  // the card can be large
  }};
  GenerationCache<TokenRecord> token_cache_{generation_};     // live tokens by hash
  GenerationCache<bool> has_token_cache_{generation_};        // by workspace id
  // Declared after the connection: destroyed first, writing what is queued.
  WriteBehind<ActivityRecord> activity_behind_{
      [this](std::size_t most) { (void)guarded([this, most] { writeQueuedActivity(most); }); },
      [](const ActivityRecord& a) {
        const auto size = [](const std::optional<std::string>& s) { return s ? s->size() : 0; };
        return sizeof a + a.summary.size() + size(a.request_body) + size(a.response_body);
      }};
};

}  // namespace ws
