#!/usr/bin/env bash
# ctest's fixture for the suites on PostgreSQL: the private cluster (tools/lib/postgres.sh), up.
set -euo pipefail
source "$(dirname "$0")/../../tools/lib/common.sh"
source "$(dirname "$0")/../../tools/lib/postgres.sh"
# A cluster the environment names and that answers is used as it is.
if [ -n "${WS_TEST_DATABASE_URL:-}" ] && "$PG_BIN/pg_isready" -q -d "$WS_TEST_DATABASE_URL"; then
  echo "PostgreSQL ready: $WS_TEST_DATABASE_URL"
  exit 0
fi
ensure_postgres
echo "PostgreSQL ready: $WS_TEST_DATABASE_URL"
