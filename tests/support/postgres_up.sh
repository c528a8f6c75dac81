#!/usr/bin/env bash
# ctest's fixture for the suites on PostgreSQL: the private cluster (tools/lib/postgres.sh), up.
set -euo pipefail
source "$(dirname "$0")/../../tools/lib/common.sh"
source "$(dirname "$0")/../../tools/lib/postgres.sh"
ensure_postgres
echo "PostgreSQL ready: $WS_TEST_DATABASE_URL"
