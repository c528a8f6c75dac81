#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <thread>
#include <vector>

#include "support/store_types.h"

namespace ws::test {
namespace {

template <class T>
class Store : public ::testing::Test {
 protected:
  T store_;
};
TYPED_TEST_SUITE(Store, StoreTypes, StoreTypeNames);

TYPED_TEST(Store, MigrationsApplyOnceAndDataPersists) {
  auto& store = this->store_;
  auto w = makeWorkspace("persist");
  ASSERT_TRUE(store->insertWorkspace(w, createdEvent(w)));
  store.reopen();  // runs the migration check again on an up-to-date schema
  auto found = store->findWorkspace(w.id);
  ASSERT_TRUE(found && *found);
  EXPECT_EQ((*found)->name, "persist");
  EXPECT_EQ(store->listEvents(w.id, 10)->size(), 1u);
}

TYPED_TEST(Store, UpdateTouchesOnlyGivenFields) {
  auto& store = this->store_;
  auto w = makeWorkspace("before");
  w.role = "r";
  ASSERT_TRUE(store->insertWorkspace(w, createdEvent(w)));
  WorkspaceUpdate u;
  u.name = "after";
  u.x = 5;
  u.y = 6;
  ASSERT_TRUE(*store->updateWorkspace(w.id, u));
  auto got = **store->findWorkspace(w.id);
  EXPECT_EQ(got.name, "after");
  EXPECT_EQ(got.role, "r");
  EXPECT_EQ(got.x, 5);
  EXPECT_FALSE(*store->updateWorkspace(newUuid(), u)) << "unknown id";
}

TYPED_TEST(Store, AFoundWorkspaceIsNeverStaleAfterAnyWrite) {
  auto& store = this->store_;
  auto w = makeWorkspace("w", Status::online);
  ASSERT_TRUE(store->insertWorkspace(w, createdEvent(w)));
  auto status = [&] { return (**store->findWorkspace(w.id)).status; };
  ASSERT_EQ(status(), Status::online);  // read once: now cached
  ASSERT_TRUE(*store->transition(Transition{w.id, Status::offline, {Status::online}, "WORKSPACE_OFFLINE", "{}", "", std::nullopt}));
  EXPECT_EQ(status(), Status::offline);
  WorkspaceUpdate u;
  u.x = 7;  // a canvas_layouts row, joined into the workspace
  ASSERT_TRUE(*store->updateWorkspace(w.id, u));
  EXPECT_EQ((**store->findWorkspace(w.id)).x, 7);
  HeartbeatUpdate h;
  h.workspace_id = w.id;
  h.active_tasks = 3;
  ASSERT_TRUE(*store->recordHeartbeat(h));
  EXPECT_EQ((**store->findWorkspace(w.id)).active_tasks, 3);
  TokenRecord t{newUuid(), w.id, sha256Hex("tok"), "tok", nowTime(), std::nullopt};
  ASSERT_TRUE(store->insertToken(t));
  ASSERT_TRUE(*store->findLiveToken(t.hash_hex));
  ASSERT_TRUE(*store->hasLiveToken(w.id));
  ASSERT_TRUE(*store->revokeToken(w.id, t.id));
  EXPECT_FALSE(*store->findLiveToken(t.hash_hex)) << "a revoked token is refused at once";
  EXPECT_FALSE(*store->hasLiveToken(w.id));
  ASSERT_TRUE(store->purge({w.id}));
  EXPECT_FALSE(*store->findWorkspace(w.id)) << "a purged workspace is gone, not served from memory";
}

TYPED_TEST(Store, TransitionIsGuardedAndRecordsOneEvent) {
  auto& store = this->store_;
  auto w = makeWorkspace("t", Status::online);
  ASSERT_TRUE(store->insertWorkspace(w, createdEvent(w)));
  Transition t{w.id, Status::offline, {Status::online}, "WORKSPACE_OFFLINE", "{}", "", std::nullopt};
  EXPECT_TRUE(*store->transition(t));
  EXPECT_FALSE(*store->transition(t)) << "already offline";
  EXPECT_EQ(store->listEvents(w.id, 10)->size(), 2u);
}

TYPED_TEST(Store, TreeQueriesAndRemoval) {
  auto& store = this->store_;
  auto root = makeWorkspace("root");
  auto a = makeWorkspace("a", Status::provisioning, root.id);
  auto b = makeWorkspace("b", Status::provisioning, a.id);
  for (const auto* w : {&root, &a, &b}) ASSERT_TRUE(store->insertWorkspace(*w, createdEvent(*w)));
  auto below = *store->descendants(root.id);
  ASSERT_EQ(below.size(), 2u);
  EXPECT_EQ(below[0].id, a.id) << "parents before children";
  EXPECT_EQ(store->children(root.id)->size(), 1u);

  ASSERT_TRUE(store->insertToken(TokenRecord{newUuid(), b.id, sha256Hex("tok"), "tok", nowTime(), std::nullopt}));
  ASSERT_TRUE(*store->findLiveToken(sha256Hex("tok")));
  ASSERT_TRUE(store->markRemoved({a.id, b.id}, {}));
  EXPECT_FALSE(*store->findLiveToken(sha256Hex("tok"))) << "removal revokes tokens";
  EXPECT_TRUE(store->descendants(root.id)->empty());
  EXPECT_EQ(store->listWorkspaces()->size(), 1u);

  ASSERT_TRUE(store->purge({a.id, b.id}));
  EXPECT_FALSE(*store->findWorkspace(a.id));
}

TYPED_TEST(Store, TokensAndActivity) {
  auto& store = this->store_;
  auto w = makeWorkspace("w");
  ASSERT_TRUE(store->insertWorkspace(w, createdEvent(w)));
  EXPECT_FALSE(*store->anyLiveToken());
  TokenRecord t{newUuid(), w.id, sha256Hex("secret"), "secret12", nowTime(), std::nullopt};
  ASSERT_TRUE(store->insertToken(t));
  EXPECT_TRUE(*store->hasLiveToken(w.id));
  EXPECT_TRUE(*store->anyLiveToken());
  EXPECT_FALSE(*store->revokeToken(newUuid(), t.id)) << "scoped to its workspace";
  EXPECT_TRUE(*store->revokeToken(w.id, t.id));
  EXPECT_FALSE(*store->hasLiveToken(w.id));

  ActivityRecord a;
  a.workspace_id = w.id;
  a.activity_type = "agent_log";
  a.created_at = "2026-01-01T00:00:00.000Z";
  ASSERT_TRUE(store->insertActivity(a));
  a.activity_type = "a2a_send";
  a.source_id = w.id;
  a.created_at = "2026-01-02T00:00:00.000Z";
  ASSERT_TRUE(store->insertActivity(a));
  ActivityFilter f;
  f.workspace_id = w.id;
  EXPECT_EQ(store->listActivity(f)->size(), 2u);
  f.from_agent = false;
  EXPECT_EQ(store->listActivity(f)->at(0).activity_type, "agent_log");
  f.from_agent.reset();
  f.before_ts = "2026-01-02T00:00:00.000Z";
  EXPECT_EQ(store->listActivity(f)->size(), 1u);
}

ActivityRecord logRow(const std::string& workspace_id, const std::string& summary) {
  ActivityRecord a;
  a.workspace_id = workspace_id;
  a.activity_type = "a2a_receive";
  a.summary = summary;
  a.created_at = nowTime();
  return a;
}

TYPED_TEST(Store, AppendedActivityIsSeenByTheNextReadInOrder) {
  auto& store = this->store_;
  auto w = makeWorkspace("w");
  ASSERT_TRUE(store->insertWorkspace(w, createdEvent(w)));
  store->appendActivity(logRow(w.id, "first"));
  ASSERT_TRUE(store->insertActivity(logRow(w.id, "second")));
  ActivityFilter f;
  f.workspace_id = w.id;
  f.oldest_first = true;
  auto rows = *store->listActivity(f);
  ASSERT_EQ(rows.size(), 2u) << "queued rows are written before any activity read or write";
  EXPECT_EQ(rows[0].summary, "first");
  EXPECT_EQ(rows[1].summary, "second");
}

TYPED_TEST(Store, AppendedActivityIsCommittedBehindTheCallerAndAtClose) {
  auto& store = this->store_;
  auto w = makeWorkspace("w");
  ASSERT_TRUE(store->insertWorkspace(w, createdEvent(w)));
  for (int i = 0; i < 100; ++i) store->appendActivity(logRow(w.id, "behind " + std::to_string(i)));
  // No read asks for them: the store's own thread commits them within its window.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (store.countRows("activity_logs") < 100 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  EXPECT_EQ(store.countRows("activity_logs"), 100);

  store->appendActivity(logRow(w.id, "at close"));
  store->appendActivity(logRow(newUuid(), "of no workspace"));  // refused by its key, alone
  store.reopen();  // a clean close writes what is queued
  EXPECT_EQ(store.countRows("activity_logs"), 101);
}

// Rows written behind go in many-row statements; one row that cannot be written (its workspace
// is gone) is dropped alone, and every column of the others arrives intact and in order.
TYPED_TEST(Store, ABadRowAmongManyQueuedIsDroppedAlone) {
  auto& store = this->store_;
  auto w = makeWorkspace("w");
  ASSERT_TRUE(store->insertWorkspace(w, createdEvent(w)));
  for (int i = 0; i < 70; ++i) {
    if (i == 40) store->appendActivity(logRow(newUuid(), "of no workspace"));
    auto a = logRow(w.id, "row " + std::to_string(i));
    a.source_id = "peer-" + std::to_string(i);
    a.target_id = w.id;
    a.method = "message/send";
    a.request_body = R"({"n":)" + std::to_string(i) + "}";
    a.response_body = std::string(static_cast<std::size_t>(i) * 10, 'r');
    a.duration_ms = i;
    a.status = i % 2 ? "ok" : "error";
    a.error_detail = i % 2 ? "" : "why " + std::to_string(i);
    store->appendActivity(std::move(a));
  }
  ActivityFilter f;
  f.workspace_id = w.id;
  f.oldest_first = true;
  f.limit = 1000;
  auto rows = *store->listActivity(f);
  ASSERT_EQ(rows.size(), 70u);
  for (int i = 0; i < 70; ++i) {
    const auto& r = rows[static_cast<std::size_t>(i)];
    EXPECT_EQ(r.summary, "row " + std::to_string(i));
    EXPECT_EQ(r.source_id, "peer-" + std::to_string(i));
    EXPECT_EQ(r.target_id, w.id);
    EXPECT_EQ(r.method, "message/send");
    EXPECT_EQ(r.request_body, R"({"n":)" + std::to_string(i) + "}");
    EXPECT_EQ(r.response_body.value_or(""), std::string(static_cast<std::size_t>(i) * 10, 'r'));
    EXPECT_EQ(r.duration_ms, i);
    EXPECT_EQ(r.status, i % 2 ? "ok" : "error");
    EXPECT_EQ(r.error_detail, i % 2 ? "" : "why " + std::to_string(i));
    EXPECT_FALSE(r.tool_trace);
    EXPECT_FALSE(r.idempotency_key);
  }
}

TYPED_TEST(Store, ThePurgeRemovesOlderRowsOfEveryWorkspace) {
  auto& store = this->store_;
  auto a = makeWorkspace("a"), b = makeWorkspace("b");
  ASSERT_TRUE(store->insertWorkspace(a, createdEvent(a)));
  ASSERT_TRUE(store->insertWorkspace(b, createdEvent(b)));
  for (const auto* w : {&a, &b})
    for (const char* at : {"2020-01-01T00:00:00.000Z", "2020-06-01T00:00:00.000Z", "2030-01-01T00:00:00.000Z"}) {
      auto row = logRow(w->id, at);
      row.created_at = at;
      ASSERT_TRUE(store->insertActivity(row));
    }
  EXPECT_EQ(*store->purgeActivityBefore("2021-01-01T00:00:00.000Z"), 4);
  for (const auto* w : {&a, &b}) {
    ActivityFilter f;
    f.workspace_id = w->id;
    const auto left = *store->listActivity(f);
    ASSERT_EQ(left.size(), 1u);
    EXPECT_EQ(left[0].created_at, "2030-01-01T00:00:00.000Z");
  }
}

TYPED_TEST(Store, ProvisioningSince) {
  auto& store = this->store_;
  auto old = makeWorkspace("old");
  old.updated_at = "2020-01-01T00:00:00.000Z";
  auto fresh = makeWorkspace("fresh");
  ASSERT_TRUE(store->insertWorkspace(old, createdEvent(old)));
  ASSERT_TRUE(store->insertWorkspace(fresh, createdEvent(fresh)));
  auto stuck = *store->provisioningSince("2021-01-01T00:00:00.000Z");
  EXPECT_EQ(stuck, std::vector<std::string>{old.id});
}

// Writers racing on one key (servers sharing a database) each see the version the last one left.
TYPED_TEST(Store, ConcurrentConditionalWritesOfAKeyHaveOneWinnerPerVersion) {
  auto& store = this->store_;
  auto w = makeWorkspace("kv");
  ASSERT_TRUE(store->insertWorkspace(w, createdEvent(w)));
  std::atomic<int> written{0};
  auto writer = [&] {
    KvWrite put{w.id, "k", "1", std::nullopt, 0, "2030-01-01T00:00:00.000Z", 10};
    auto r = store->putKv(put);
    ASSERT_TRUE(r) << r.error().message;
    if (r->kind == KvOutcome::written) ++written;
  };
  std::vector<std::thread> writers;
  for (int i = 0; i < 8; ++i) writers.emplace_back(writer);
  for (auto& t : writers) t.join();
  EXPECT_EQ(written.load(), 1) << "only one write may create the key";
  EXPECT_EQ((**store->getKv(w.id, "k", "2030-01-01T00:00:00.000Z")).version, 1);
}

TEST(SqliteStore, UnopenablePathIsAnError) {
  auto r = openSqliteStore("/nonexistent-dir/x/y.db");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::storage_error);
}

TYPED_TEST(Store, SecretsPerWorkspaceAndGlobalKeepBinaryValuesAndCascade) {
  auto& store = this->store_;
  auto w = makeWorkspace("holder");
  ASSERT_TRUE(store->insertWorkspace(w, createdEvent(w)));
  const std::string binary("\x00\xff\x01sealed", 9);
  ASSERT_TRUE(store->putSecret({w.id, "B_KEY", binary, 1, "t1", "t1"}));
  ASSERT_TRUE(store->putSecret({w.id, "A_KEY", "plain", 0, "t1", "t1"}));
  ASSERT_TRUE(store->putSecret({"", "A_KEY", "global", 0, "t1", "t1"}));
  ASSERT_TRUE(store->putSecret({w.id, "B_KEY", binary + "2", 1, "t2", "t2"}));  // update keeps created_at

  auto own = *store->listSecrets(w.id);
  ASSERT_EQ(own.size(), 2u);
  EXPECT_EQ(own[0].key, "A_KEY");  // by key
  EXPECT_EQ(own[1].value, binary + "2");
  EXPECT_EQ(own[1].encryption_version, 1);
  EXPECT_EQ(own[1].created_at, "t1");
  EXPECT_EQ(own[1].updated_at, "t2");
  EXPECT_EQ(store->listSecrets("")->at(0).value, "global");
  EXPECT_EQ(*store->globalSecretKeys(), std::set<std::string>{"A_KEY"});

  EXPECT_TRUE(*store->deleteSecret(w.id, "A_KEY"));
  EXPECT_FALSE(*store->deleteSecret(w.id, "A_KEY"));
  EXPECT_EQ(store->listSecrets("")->size(), 1u) << "a workspace delete leaves the global key";
  ASSERT_TRUE(store->purge({w.id}));
  EXPECT_TRUE(store->listSecrets(w.id)->empty());
}

TYPED_TEST(Store, CountsWorkspacesByStatusAndKind) {
  auto& store = this->store_;
  const std::vector<std::pair<Status, bool>> rows{
      {Status::online, false}, {Status::online, false}, {Status::online, true}, {Status::failed, false}, {Status::removed, false}};
  for (auto [status, external] : rows) {
    auto w = makeWorkspace("w", status);
    w.external = external;
    ASSERT_TRUE(store->insertWorkspace(w, createdEvent(w)));
  }
  std::map<std::pair<Status, bool>, std::int64_t> got;
  for (const auto& c : *store->countWorkspaces()) got[{c.status, c.external}] = c.count;
  EXPECT_EQ(got, (std::map<std::pair<Status, bool>, std::int64_t>{
                     {{Status::online, false}, 2}, {{Status::online, true}, 1}, {{Status::failed, false}, 1}}))
      << "removed rows are not counted";
}

TYPED_TEST(Store, AllSchedulesWithTheirWorkspaceNames) {
  auto& store = this->store_;
  auto b = makeWorkspace("beta");
  auto a = makeWorkspace("alpha");
  auto gone = makeWorkspace("gone", Status::removed);
  for (auto* w : {&a, &b, &gone}) ASSERT_TRUE(store->insertWorkspace(*w, createdEvent(*w)));
  auto schedule = [&](const Workspace& w, const std::string& name, bool enabled) {
    ScheduleRecord s;
    s.id = newUuid();
    s.workspace_id = w.id;
    s.name = name;
    s.cron_expr = "* * * * *";
    s.prompt = "p";
    s.enabled = enabled;
    s.created_at = s.updated_at = nowTime();
    ASSERT_TRUE(store->putSchedule(s));
  };
  schedule(b, "nightly", true);
  schedule(a, "weekly", false);
  schedule(a, "daily", true);
  schedule(gone, "ghost", true);
  std::vector<std::string> seen;
  for (const auto& o : *store->listAllSchedules()) seen.push_back(o.workspace_name + "/" + o.schedule.name);
  EXPECT_EQ(seen, (std::vector<std::string>{"alpha/daily", "alpha/weekly", "beta/nightly"}))
      << "disabled ones included, removed workspaces left out";
}

TYPED_TEST(Store, TokenUsageAddsUpAndGoesWithAPurge) {
  auto& store = this->store_;
  auto w = makeWorkspace("usage");
  ASSERT_TRUE(store->insertWorkspace(w, createdEvent(w)));
  const std::string day = "2026-04-17T00:00:00Z";
  ASSERT_TRUE(store->addTokenUsage(w.id, day, TokenUsage{10, 2, 1, 60}));
  ASSERT_TRUE(store->addTokenUsage(w.id, day, TokenUsage{5, 1, 1, 30}));
  ASSERT_TRUE(store->addTokenUsage(w.id, "2026-04-18T00:00:00Z", TokenUsage{7, 7, 1, 0}));
  const auto u = *store->tokenUsage(w.id, day);
  EXPECT_EQ(u.input_tokens, 15);
  EXPECT_EQ(u.output_tokens, 3);
  EXPECT_EQ(u.call_count, 2);
  EXPECT_EQ(u.estimated_cost_micros, 90);
  ASSERT_TRUE(store->purge({w.id}));
  EXPECT_EQ(store->tokenUsage(w.id, day)->call_count, 0);
}

}  // namespace
}  // namespace ws::test

namespace ws::test {
namespace {

TEST(PostgresStore, ABadUrlIsAnErrorNotACrash) {
  for (const char* url : {"postgresql:///db?host=/nonexistent-dir/run", "postgresql://%zz/db",
                          "postgres://user:secret@127.0.0.1:1/db?connect_timeout=2", "postgresql:///db?nonsense=1"}) {
    auto r = openPostgresStore(url);
    ASSERT_FALSE(r) << url;
    EXPECT_EQ(r.error().code, Errc::storage_error) << url;
    EXPECT_EQ(r.error().message.find("secret"), std::string::npos) << "no password in " << r.error().message;
  }
}

TEST(OpenStore, TheUrlSchemeChoosesTheStore) {
  EXPECT_TRUE(isPostgresUrl("postgres://h/db"));
  EXPECT_TRUE(isPostgresUrl("postgresql:///db?host=/run"));
  EXPECT_FALSE(isPostgresUrl("var/workspace.db"));
  EXPECT_FALSE(isPostgresUrl("mysql://h/db"));
  auto sqlite = openStore("/nonexistent-dir/x/y.db");
  ASSERT_FALSE(sqlite);
  EXPECT_NE(sqlite.error().message.find("/nonexistent-dir/x/y.db"), std::string::npos) << "a path opens SQLite";
}

TEST(OpenStore, LoggedUrlsHideThePassword) {
  EXPECT_EQ(redactDatabaseUrl("postgresql://ws:s3cret@db.internal:5432/ws?sslmode=require"),
            "postgresql://ws:***@db.internal:5432/ws?sslmode=require");
  EXPECT_EQ(redactDatabaseUrl("postgres://ws:p@ss@db/ws"), "postgres://ws:***@db/ws");
  EXPECT_EQ(redactDatabaseUrl("postgresql:///ws?host=/run&password=s3cret&user=ws"),
            "postgresql:///ws?host=/run&password=***&user=ws");
  EXPECT_EQ(redactDatabaseUrl("postgresql://ws@db/ws"), "postgresql://ws@db/ws");
  EXPECT_EQ(redactDatabaseUrl("postgresql:///postgres?host=/tmp/run"), "postgresql:///postgres?host=/tmp/run");
}

}  // namespace
}  // namespace ws::test
