// The schema on PostgreSQL: the SQLite schema's tables and columns, in PostgreSQL's types.
// Text is `ws_text`, text compared byte-wise (collation "C") whatever the database's locale,
// so orderings and timestamp comparisons are the SQLite store's. Tables whose order of
// insertion breaks ties (SQLite's rowid) have a `seq` identity column.

#include <array>

#include "store/migrations/migrations.h"

namespace ws::migrations {
namespace {

constexpr std::string_view k001Schema = R"sql(
CREATE DOMAIN ws_text AS TEXT COLLATE "C";

CREATE TABLE workspaces (
  id                       ws_text PRIMARY KEY,
  name                     ws_text NOT NULL,
  role                     ws_text,
  tier                     INTEGER NOT NULL DEFAULT 3,
  status                   ws_text NOT NULL DEFAULT 'provisioning' CHECK (status IN (
                             'provisioning','online','offline','degraded','failed','removed',
                             'paused','hibernating','hibernated','awaiting_agent')),
  agent_card               ws_text,
  url                      ws_text NOT NULL DEFAULT '',
  parent_id                ws_text REFERENCES workspaces(id) ON DELETE SET NULL,
  forwarded_to             ws_text REFERENCES workspaces(id) ON DELETE SET NULL,
  last_heartbeat_at        ws_text,
  last_error_rate          DOUBLE PRECISION NOT NULL DEFAULT 0,
  last_sample_error        ws_text NOT NULL DEFAULT '',
  active_tasks             INTEGER NOT NULL DEFAULT 0,
  uptime_seconds           BIGINT NOT NULL DEFAULT 0,
  current_task             ws_text NOT NULL DEFAULT '',
  runtime                  ws_text NOT NULL DEFAULT 'langgraph',
  model                    ws_text NOT NULL DEFAULT '',
  workspace_dir            ws_text,
  workspace_access         ws_text NOT NULL DEFAULT 'none'
                             CHECK (workspace_access IN ('none','read_only','read_write')),
  budget_limit             BIGINT,
  monthly_spend            BIGINT NOT NULL DEFAULT 0,
  max_concurrent_tasks     INTEGER NOT NULL DEFAULT 1,
  awareness_namespace      ws_text NOT NULL DEFAULT '',
  instance_id              ws_text,
  external                 BOOLEAN NOT NULL DEFAULT false,
  last_outbound_at         ws_text,
  created_at               ws_text NOT NULL,
  updated_at               ws_text NOT NULL,
  template_id              ws_text,
  hibernation_idle_minutes INTEGER,
  last_active_at           ws_text
);
CREATE INDEX workspaces_parent ON workspaces(parent_id);
CREATE INDEX workspaces_status ON workspaces(status);
CREATE INDEX workspaces_instance ON workspaces(instance_id) WHERE instance_id IS NOT NULL;
CREATE INDEX workspaces_hibernation ON workspaces(hibernation_idle_minutes) WHERE hibernation_idle_minutes IS NOT NULL;

CREATE TABLE canvas_layouts (
  workspace_id ws_text PRIMARY KEY REFERENCES workspaces(id) ON DELETE CASCADE,
  x            DOUBLE PRECISION NOT NULL DEFAULT 0,
  y            DOUBLE PRECISION NOT NULL DEFAULT 0,
  collapsed    BOOLEAN NOT NULL DEFAULT false
);

CREATE TABLE workspace_auth_tokens (
  id           ws_text PRIMARY KEY,
  seq          BIGINT GENERATED ALWAYS AS IDENTITY,
  workspace_id ws_text NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  token_hash   ws_text NOT NULL UNIQUE,
  prefix       ws_text NOT NULL,
  created_at   ws_text NOT NULL,
  last_used_at ws_text,
  revoked_at   ws_text
);
CREATE INDEX workspace_auth_tokens_live ON workspace_auth_tokens(workspace_id) WHERE revoked_at IS NULL;

CREATE TABLE structure_events (
  id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  event_type   ws_text NOT NULL,
  workspace_id ws_text,
  payload      ws_text NOT NULL DEFAULT '{}',
  created_at   ws_text NOT NULL
);
CREATE INDEX structure_events_workspace ON structure_events(workspace_id, id);

CREATE TABLE activity_logs (
  id                  BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id        ws_text NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  activity_type       ws_text NOT NULL,
  source_id           ws_text,
  target_id           ws_text,
  method              ws_text NOT NULL DEFAULT '',
  summary             ws_text NOT NULL DEFAULT '',
  request_body        ws_text,
  response_body       ws_text,
  tool_trace          ws_text,
  duration_ms         BIGINT,
  status              ws_text NOT NULL DEFAULT 'ok',
  error_detail        ws_text NOT NULL DEFAULT '',
  created_at          ws_text NOT NULL,
  idempotency_key     ws_text,
  platform_dispatched BOOLEAN NOT NULL DEFAULT false
);
CREATE INDEX activity_logs_workspace ON activity_logs(workspace_id, created_at);
CREATE INDEX activity_logs_created ON activity_logs(created_at);
CREATE UNIQUE INDEX activity_logs_idempotency ON activity_logs(workspace_id, idempotency_key)
  WHERE idempotency_key IS NOT NULL;
CREATE INDEX activity_logs_pair ON activity_logs(source_id, target_id, created_at) WHERE source_id IS NOT NULL;

-- A field of a JSON object held as text, or NULL when the text is not JSON (SQLite's
-- json_valid guard): the delegation id of a delegate row. Costly, so evaluated last.
CREATE FUNCTION ws_json_field(doc TEXT, field TEXT) RETURNS TEXT
  LANGUAGE plpgsql IMMUTABLE STRICT COST 1000 AS $$
BEGIN
  RETURN doc::jsonb ->> field;
EXCEPTION WHEN others THEN
  RETURN NULL;
END $$;

CREATE TABLE global_secrets (
  key                ws_text PRIMARY KEY,
  encrypted_value    BYTEA NOT NULL,
  encryption_version INTEGER NOT NULL DEFAULT 0,
  created_at         ws_text NOT NULL,
  updated_at         ws_text NOT NULL
);

CREATE TABLE workspace_secrets (
  workspace_id       ws_text NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  key                ws_text NOT NULL,
  encrypted_value    BYTEA NOT NULL,
  encryption_version INTEGER NOT NULL DEFAULT 0,
  created_at         ws_text NOT NULL,
  updated_at         ws_text NOT NULL,
  PRIMARY KEY (workspace_id, key)
);

CREATE TABLE workspace_plugins (
  workspace_id ws_text NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  name         ws_text NOT NULL,
  source       ws_text NOT NULL,
  installed_at ws_text NOT NULL,
  PRIMARY KEY (workspace_id, name)
);

CREATE TABLE agent_memories (
  id           ws_text PRIMARY KEY,
  workspace_id ws_text NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  content      ws_text NOT NULL,
  scope        ws_text NOT NULL CHECK (scope IN ('LOCAL', 'TEAM', 'GLOBAL')),
  namespace    ws_text NOT NULL,
  created_at   ws_text NOT NULL
);
CREATE INDEX agent_memories_workspace ON agent_memories (workspace_id, created_at);
CREATE INDEX agent_memories_scope ON agent_memories (scope, created_at);

CREATE TABLE workspace_schedules (
  id           ws_text PRIMARY KEY,
  workspace_id ws_text NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  name         ws_text NOT NULL,
  cron_expr    ws_text NOT NULL,
  timezone     ws_text NOT NULL DEFAULT 'UTC',
  prompt       ws_text NOT NULL,
  enabled      BOOLEAN NOT NULL DEFAULT true,
  last_run_at  ws_text,
  next_run_at  ws_text,
  run_count    BIGINT NOT NULL DEFAULT 0,
  last_status  ws_text NOT NULL DEFAULT '',
  last_error   ws_text NOT NULL DEFAULT '',
  source       ws_text NOT NULL DEFAULT 'runtime',
  created_at   ws_text NOT NULL,
  updated_at   ws_text NOT NULL,
  UNIQUE (workspace_id, name)
);

CREATE TABLE org_api_tokens (
  id           ws_text PRIMARY KEY,
  seq          BIGINT GENERATED ALWAYS AS IDENTITY,
  token_hash   ws_text NOT NULL UNIQUE,
  prefix       ws_text NOT NULL,
  name         ws_text,
  org_id       ws_text,
  created_by   ws_text,
  created_at   ws_text NOT NULL,
  last_used_at ws_text,
  revoked_at   ws_text
);
CREATE INDEX org_api_tokens_live ON org_api_tokens(created_at) WHERE revoked_at IS NULL;

CREATE TABLE workspace_config (
  workspace_id ws_text PRIMARY KEY REFERENCES workspaces(id) ON DELETE CASCADE,
  data         ws_text NOT NULL DEFAULT '{}',
  updated_at   ws_text NOT NULL
);

CREATE TABLE canvas_viewport (
  id       ws_text PRIMARY KEY,
  x        DOUBLE PRECISION NOT NULL,
  y        DOUBLE PRECISION NOT NULL,
  zoom     DOUBLE PRECISION NOT NULL,
  saved_at ws_text NOT NULL
);

CREATE TABLE workspace_token_usage (
  workspace_id          ws_text NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  period_start          ws_text NOT NULL,
  input_tokens          BIGINT NOT NULL DEFAULT 0,
  output_tokens         BIGINT NOT NULL DEFAULT 0,
  call_count            BIGINT NOT NULL DEFAULT 0,
  estimated_cost_micros BIGINT NOT NULL DEFAULT 0,
  updated_at            ws_text NOT NULL,
  PRIMARY KEY (workspace_id, period_start)
);

CREATE TABLE approval_requests (
  id           ws_text PRIMARY KEY,
  seq          BIGINT GENERATED ALWAYS AS IDENTITY,
  workspace_id ws_text NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  task_id      ws_text NOT NULL DEFAULT '',
  action       ws_text NOT NULL,
  reason       ws_text NOT NULL DEFAULT '',
  context      ws_text NOT NULL DEFAULT '{}',
  status       ws_text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'denied')),
  decided_by   ws_text,
  decided_at   ws_text,
  created_at   ws_text NOT NULL
);
CREATE INDEX approval_requests_workspace ON approval_requests(workspace_id, created_at);
CREATE INDEX approval_requests_pending ON approval_requests(created_at) WHERE status = 'pending';

CREATE TABLE workspace_memory (
  workspace_id ws_text NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  key          ws_text NOT NULL,
  value        ws_text NOT NULL,
  version      BIGINT NOT NULL DEFAULT 1,
  expires_at   ws_text,
  updated_at   ws_text NOT NULL,
  PRIMARY KEY (workspace_id, key)
);

CREATE TABLE workspace_files (
  workspace_id ws_text NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  path         ws_text NOT NULL,
  content      ws_text NOT NULL,
  PRIMARY KEY (workspace_id, path)
);

CREATE TABLE a2a_queue (
  id              ws_text PRIMARY KEY,
  seq             BIGINT GENERATED ALWAYS AS IDENTITY,
  workspace_id    ws_text NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  caller_id       ws_text,
  priority        INTEGER NOT NULL DEFAULT 50,
  body            ws_text NOT NULL,
  method          ws_text,
  idempotency_key ws_text,
  enqueued_at     ws_text NOT NULL,
  dispatched_at   ws_text,
  completed_at    ws_text,
  expires_at      ws_text,
  attempts        INTEGER NOT NULL DEFAULT 0,
  status          ws_text NOT NULL DEFAULT 'queued'
                    CHECK (status IN ('queued','dispatched','completed','dropped','failed')),
  last_error      ws_text
);
CREATE INDEX a2a_queue_dispatch ON a2a_queue(workspace_id, priority DESC, enqueued_at) WHERE status = 'queued';
CREATE INDEX a2a_queue_expiry ON a2a_queue(expires_at) WHERE status = 'queued' AND expires_at IS NOT NULL;
CREATE UNIQUE INDEX a2a_queue_idempotency ON a2a_queue(workspace_id, idempotency_key)
  WHERE idempotency_key IS NOT NULL AND status IN ('queued','dispatched');
)sql";

// SQLite's 19: liveness reads silent workspaces by status and last heartbeat.
constexpr std::string_view k002LivenessIndex = R"sql(
DROP INDEX workspaces_status;
CREATE INDEX workspaces_status ON workspaces(status, last_heartbeat_at);
)sql";

// Replicas (store/postgres/pg_replicas.h): one lease per background job, and the events too
// large for a NOTIFY. PostgreSQL only: SQLite serves one process. Times are the database's.
constexpr std::string_view k003Replicas = R"sql(
CREATE TABLE leases (
  job        TEXT PRIMARY KEY,
  holder     TEXT NOT NULL,
  expires_at TIMESTAMPTZ NOT NULL
);
CREATE TABLE relay_overflow (
  id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  payload    TEXT NOT NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX relay_overflow_created ON relay_overflow(created_at);
)sql";

constexpr std::array<Migration, 3> kPostgres{{
    {1, "the schema of SQLite's migrations 1 to 18", k001Schema},
    {2, "liveness by status and last heartbeat (SQLite's 19)", k002LivenessIndex},
    {3, "replica leases and the event relay's overflow (PostgreSQL only)", k003Replicas},
}};

}  // namespace

std::span<const Migration> postgres() { return kPostgres; }

}  // namespace ws::migrations
