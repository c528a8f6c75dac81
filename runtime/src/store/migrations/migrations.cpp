#include "store/migrations/migrations.h"

#include <array>

namespace ws::migrations {
namespace {

constexpr std::string_view k001Core = R"sql(
CREATE TABLE workspaces (
  id                   TEXT PRIMARY KEY,
  name                 TEXT NOT NULL,
  role                 TEXT,
  tier                 INTEGER NOT NULL DEFAULT 3,
  status               TEXT NOT NULL DEFAULT 'provisioning' CHECK (status IN (
                         'provisioning','online','offline','degraded','failed','removed',
                         'paused','hibernating','hibernated','awaiting_agent')),
  agent_card           TEXT,
  url                  TEXT NOT NULL DEFAULT '',
  parent_id            TEXT REFERENCES workspaces(id) ON DELETE SET NULL,
  forwarded_to         TEXT REFERENCES workspaces(id) ON DELETE SET NULL,
  last_heartbeat_at    TEXT,
  last_error_rate      REAL NOT NULL DEFAULT 0,
  last_sample_error    TEXT NOT NULL DEFAULT '',
  active_tasks         INTEGER NOT NULL DEFAULT 0,
  uptime_seconds       INTEGER NOT NULL DEFAULT 0,
  current_task         TEXT NOT NULL DEFAULT '',
  runtime              TEXT NOT NULL DEFAULT 'langgraph',
  model                TEXT NOT NULL DEFAULT '',
  workspace_dir        TEXT,
  workspace_access     TEXT NOT NULL DEFAULT 'none'
                         CHECK (workspace_access IN ('none','read_only','read_write')),
  budget_limit         INTEGER,
  monthly_spend        INTEGER NOT NULL DEFAULT 0,
  max_concurrent_tasks INTEGER NOT NULL DEFAULT 1,
  awareness_namespace  TEXT NOT NULL DEFAULT '',
  instance_id          TEXT,
  external             INTEGER NOT NULL DEFAULT 0,
  last_outbound_at     TEXT,
  created_at           TEXT NOT NULL,
  updated_at           TEXT NOT NULL
);
CREATE INDEX workspaces_parent ON workspaces(parent_id);
CREATE INDEX workspaces_status ON workspaces(status);
CREATE INDEX workspaces_instance ON workspaces(instance_id) WHERE instance_id IS NOT NULL;

CREATE TABLE canvas_layouts (
  workspace_id TEXT PRIMARY KEY REFERENCES workspaces(id) ON DELETE CASCADE,
  x            REAL NOT NULL DEFAULT 0,
  y            REAL NOT NULL DEFAULT 0,
  collapsed    INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE workspace_auth_tokens (
  id           TEXT PRIMARY KEY,
  workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  token_hash   TEXT NOT NULL UNIQUE,
  prefix       TEXT NOT NULL,
  created_at   TEXT NOT NULL,
  last_used_at TEXT,
  revoked_at   TEXT
);
CREATE INDEX workspace_auth_tokens_live ON workspace_auth_tokens(workspace_id)
  WHERE revoked_at IS NULL;

CREATE TABLE structure_events (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  event_type   TEXT NOT NULL,
  workspace_id TEXT,
  payload      TEXT NOT NULL DEFAULT '{}',
  created_at   TEXT NOT NULL
);
CREATE INDEX structure_events_workspace ON structure_events(workspace_id, id);

CREATE TABLE activity_logs (
  id            INTEGER PRIMARY KEY AUTOINCREMENT,
  workspace_id  TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  activity_type TEXT NOT NULL,
  source_id     TEXT,
  target_id     TEXT,
  method        TEXT NOT NULL DEFAULT '',
  summary       TEXT NOT NULL DEFAULT '',
  request_body  TEXT,
  response_body TEXT,
  tool_trace    TEXT,
  duration_ms   INTEGER,
  status        TEXT NOT NULL DEFAULT 'ok',
  error_detail  TEXT NOT NULL DEFAULT '',
  created_at    TEXT NOT NULL
);
CREATE INDEX activity_logs_workspace ON activity_logs(workspace_id, created_at);
)sql";

constexpr std::string_view k002GlobalSecrets = R"sql(
CREATE TABLE global_secrets (
  key                TEXT PRIMARY KEY,
  encrypted_value    BLOB NOT NULL,
  encryption_version INTEGER NOT NULL DEFAULT 0,
  created_at         TEXT NOT NULL,
  updated_at         TEXT NOT NULL
);
)sql";

constexpr std::string_view k003WorkspaceSecrets = R"sql(
CREATE TABLE workspace_secrets (
  workspace_id       TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  key                TEXT NOT NULL,
  encrypted_value    BLOB NOT NULL,
  encryption_version INTEGER NOT NULL DEFAULT 0,
  created_at         TEXT NOT NULL,
  updated_at         TEXT NOT NULL,
  PRIMARY KEY (workspace_id, key)
);
)sql";

constexpr std::string_view k004WorkspacePlugins = R"sql(
CREATE TABLE workspace_plugins (
  workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  name         TEXT NOT NULL,
  source       TEXT NOT NULL,
  installed_at TEXT NOT NULL,
  PRIMARY KEY (workspace_id, name)
);
)sql";

constexpr std::string_view k005Memories = R"sql(
CREATE TABLE agent_memories (
  id           TEXT PRIMARY KEY,
  workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  content      TEXT NOT NULL,
  scope        TEXT NOT NULL CHECK (scope IN ('LOCAL', 'TEAM', 'GLOBAL')),
  namespace    TEXT NOT NULL,
  created_at   TEXT NOT NULL
);
CREATE INDEX agent_memories_workspace ON agent_memories (workspace_id, created_at);
CREATE INDEX agent_memories_scope ON agent_memories (scope, created_at);
)sql";

constexpr std::string_view k006Schedules = R"sql(
CREATE TABLE workspace_schedules (
  id           TEXT PRIMARY KEY,
  workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  name         TEXT NOT NULL,
  cron_expr    TEXT NOT NULL,
  timezone     TEXT NOT NULL DEFAULT 'UTC',
  prompt       TEXT NOT NULL,
  enabled      INTEGER NOT NULL DEFAULT 1,
  last_run_at  TEXT,
  next_run_at  TEXT,
  run_count    INTEGER NOT NULL DEFAULT 0,
  last_status  TEXT NOT NULL DEFAULT '',
  last_error   TEXT NOT NULL DEFAULT '',
  source       TEXT NOT NULL DEFAULT 'runtime',
  created_at   TEXT NOT NULL,
  updated_at   TEXT NOT NULL,
  UNIQUE (workspace_id, name)
);
)sql";

// Organization API tokens: named, revocable admin credentials (hashes only, like workspace tokens).
constexpr std::string_view k007OrgTokens = R"sql(
CREATE TABLE org_api_tokens (
  id           TEXT PRIMARY KEY,
  token_hash   TEXT NOT NULL UNIQUE,
  prefix       TEXT NOT NULL,
  name         TEXT,
  org_id       TEXT,
  created_by   TEXT,
  created_at   TEXT NOT NULL,
  last_used_at TEXT,
  revoked_at   TEXT
);
CREATE INDEX org_api_tokens_live ON org_api_tokens(created_at) WHERE revoked_at IS NULL;
)sql";

// What the canvas keeps: a JSON document per workspace, and the one shared viewport.
constexpr std::string_view k008CanvasState = R"sql(
CREATE TABLE workspace_config (
  workspace_id TEXT PRIMARY KEY REFERENCES workspaces(id) ON DELETE CASCADE,
  data         TEXT NOT NULL DEFAULT '{}',
  updated_at   TEXT NOT NULL
);

CREATE TABLE canvas_viewport (
  id       TEXT PRIMARY KEY,
  x        REAL NOT NULL,
  y        REAL NOT NULL,
  zoom     REAL NOT NULL,
  saved_at TEXT NOT NULL
);
)sql";

// LLM token usage per workspace and UTC day, read from the agents' A2A answers (the reference's
// workspace_token_usage; the cost in exact micro-USD rather than numeric(12,6)).
constexpr std::string_view k009TokenUsage = R"sql(
CREATE TABLE workspace_token_usage (
  workspace_id          TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  period_start          TEXT NOT NULL,
  input_tokens          INTEGER NOT NULL DEFAULT 0,
  output_tokens         INTEGER NOT NULL DEFAULT 0,
  call_count            INTEGER NOT NULL DEFAULT 0,
  estimated_cost_micros INTEGER NOT NULL DEFAULT 0,
  updated_at            TEXT NOT NULL,
  PRIMARY KEY (workspace_id, period_start)
);
)sql";

// The template a workspace was created from: its files are delivered at every provision.
constexpr std::string_view k010WorkspaceTemplate = R"sql(
ALTER TABLE workspaces ADD COLUMN template_id TEXT;
)sql";

// Delegations are activity rows (activity_type 'delegation'); a delegate request's
// idempotency key is unique per workspace while it holds it (the reference's 039).
constexpr std::string_view k011ActivityIdempotency = R"sql(
ALTER TABLE activity_logs ADD COLUMN idempotency_key TEXT;
CREATE UNIQUE INDEX activity_logs_idempotency ON activity_logs(workspace_id, idempotency_key)
  WHERE idempotency_key IS NOT NULL;
)sql";

// Requests of an agent for a human decision (the reference's approval_requests).
constexpr std::string_view k012Approvals = R"sql(
CREATE TABLE approval_requests (
  id           TEXT PRIMARY KEY,
  workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  task_id      TEXT NOT NULL DEFAULT '',
  action       TEXT NOT NULL,
  reason       TEXT NOT NULL DEFAULT '',
  context      TEXT NOT NULL DEFAULT '{}',
  status       TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'denied')),
  decided_by   TEXT,
  decided_at   TEXT,
  created_at   TEXT NOT NULL
);
CREATE INDEX approval_requests_workspace ON approval_requests(workspace_id, created_at);
CREATE INDEX approval_requests_pending ON approval_requests(created_at) WHERE status = 'pending';
)sql";

// The key-value memory of a workspace, versioned for optimistic concurrency (the reference's
// workspace_memory).
constexpr std::string_view k013KeyValueMemory = R"sql(
CREATE TABLE workspace_memory (
  workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  key          TEXT NOT NULL,
  value        TEXT NOT NULL,
  version      INTEGER NOT NULL DEFAULT 1,
  expires_at   TEXT,
  updated_at   TEXT NOT NULL,
  PRIMARY KEY (workspace_id, key)
);
)sql";

// Idle hibernation (the reference's hibernation_idle_minutes, with the last heartbeat that
// reported work as part of the idle clock), and the files a workspace carries itself (from an
// imported bundle), delivered into /configs at every provision after its template's.
constexpr std::string_view k014BundlesAndIdle = R"sql(
ALTER TABLE workspaces ADD COLUMN hibernation_idle_minutes INTEGER;
ALTER TABLE workspaces ADD COLUMN last_active_at TEXT;
CREATE INDEX workspaces_hibernation ON workspaces(hibernation_idle_minutes) WHERE hibernation_idle_minutes IS NOT NULL;
CREATE INDEX activity_logs_created ON activity_logs(created_at);

CREATE TABLE workspace_files (
  workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  path         TEXT NOT NULL,
  content      TEXT NOT NULL,
  PRIMARY KEY (workspace_id, path)
);
)sql";

// The busy-agent A2A queue (the reference's a2a_queue, migration 042): a request whose target's
// agent did not answer in time waits here until a heartbeat reports room for it. An idempotency
// key (the message id) is held by one active item per workspace.
constexpr std::string_view k015A2aQueue = R"sql(
CREATE TABLE a2a_queue (
  id              TEXT PRIMARY KEY,
  workspace_id    TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  caller_id       TEXT,
  priority        INTEGER NOT NULL DEFAULT 50,
  body            TEXT NOT NULL,
  method          TEXT,
  idempotency_key TEXT,
  enqueued_at     TEXT NOT NULL,
  dispatched_at   TEXT,
  completed_at    TEXT,
  expires_at      TEXT,
  attempts        INTEGER NOT NULL DEFAULT 0,
  status          TEXT NOT NULL DEFAULT 'queued'
                    CHECK (status IN ('queued','dispatched','completed','dropped','failed')),
  last_error      TEXT
);
CREATE INDEX a2a_queue_dispatch ON a2a_queue(workspace_id, priority DESC, enqueued_at) WHERE status = 'queued';
CREATE INDEX a2a_queue_expiry ON a2a_queue(expires_at) WHERE status = 'queued' AND expires_at IS NOT NULL;
CREATE UNIQUE INDEX a2a_queue_idempotency ON a2a_queue(workspace_id, idempotency_key)
  WHERE idempotency_key IS NOT NULL AND status IN ('queued','dispatched');
)sql";

// Delegations this server sends itself are marked when it dispatches them: one still in flight
// at the next start was cut off by a crash. (One an agent sent and recorded is the agent's to
// settle.)
constexpr std::string_view k017DelegationDispatch = R"sql(
ALTER TABLE activity_logs ADD COLUMN platform_dispatched INTEGER NOT NULL DEFAULT 0;
)sql";

// chat_history (MCP) reads the A2A rows between two workspaces, in either direction.
constexpr std::string_view k016ActivityPairs = R"sql(
CREATE INDEX activity_logs_pair ON activity_logs(source_id, target_id, created_at);
)sql";

// The pair index serves only lookups by a source; a canvas call has none, so its row (most of
// the proxy's) skips one index write.
constexpr std::string_view k018ActivityPairsWithSource = R"sql(
DROP INDEX activity_logs_pair;
CREATE INDEX activity_logs_pair ON activity_logs(source_id, target_id, created_at) WHERE source_id IS NOT NULL;
)sql";

// Liveness lives in the database, so that every replica sees every heartbeat: the sweep asks
// for the serving workspaces whose last heartbeat is older than the TTL, a range of the status
// index once it also holds the heartbeat. (Still one index, so a heartbeat writes one entry.)
constexpr std::string_view k019Liveness = R"sql(
DROP INDEX workspaces_status;
CREATE INDEX workspaces_status ON workspaces(status, last_heartbeat_at);
)sql";

// Every activity row paid for an index that only the retention purge read; the purge walks
// activity_logs_workspace per workspace instead.
constexpr std::string_view k020ActivityWithoutCreatedIndex = R"sql(
DROP INDEX activity_logs_created;
)sql";

constexpr std::array<Migration, 20> kAll{{
    {1, "core: workspaces, layouts, tokens, structure events, activity", k001Core},
    {2, "global secrets (keys gate org import)", k002GlobalSecrets},
    {3, "workspace secrets", k003WorkspaceSecrets},
    {4, "installed plugins", k004WorkspacePlugins},
    {5, "memories", k005Memories},
    {6, "schedules", k006Schedules},
    {7, "organization API tokens", k007OrgTokens},
    {8, "workspace config documents and the canvas viewport", k008CanvasState},
    {9, "token usage", k009TokenUsage},
    {10, "workspace templates", k010WorkspaceTemplate},
    {11, "activity idempotency keys (delegations)", k011ActivityIdempotency},
    {12, "approval requests", k012Approvals},
    {13, "key-value memory", k013KeyValueMemory},
    {14, "idle hibernation and workspace files", k014BundlesAndIdle},
    {15, "busy-agent A2A queue", k015A2aQueue},
    {16, "activity between two workspaces (chat history)", k016ActivityPairs},
    {17, "delegations dispatched by the server", k017DelegationDispatch},
    {18, "activity pair index: rows with a source only", k018ActivityPairsWithSource},
    {19, "liveness: serving workspaces by last heartbeat", k019Liveness},
    {20, "activity: no index by time alone (the purge goes by workspace)", k020ActivityWithoutCreatedIndex},
}};

}  // namespace

std::span<const Migration> all() { return kAll; }

}  // namespace ws::migrations
