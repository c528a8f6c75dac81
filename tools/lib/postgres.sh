# A private PostgreSQL cluster for the tests and for trying the PostgreSQL store. Sourced, not
# executed (tests/support/postgres_up.sh runs it for ctest).
#
# ensure_postgres: initdb into $WS_POSTGRES_DIR (default var/postgres) on first use, then start
# it unless it already runs. Unix socket only (no TCP), in $WS_POSTGRES_DIR/run; trust for the
# superuser `postgres` on that socket and nothing else. PostgreSQL refuses to run as root, so
# as root the cluster runs as Debian's `postgres` user, which owns its directories. Idempotent
# and safe to call from several processes at once (a lock). Exports WS_TEST_DATABASE_URL.

PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"

postgres_dir() { echo "${WS_POSTGRES_DIR:-$ROOT/var/postgres}"; }

# The URL of the cluster's `postgres` database (tests/CMakeLists.txt builds the same one).
postgres_url() { echo "postgresql:///postgres?host=$(postgres_dir)/run&user=postgres"; }

# Runs a command as the cluster's owner: ourselves, or `postgres` when we are root.
as_pg_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

postgres_ready() { "$PG_BIN/pg_isready" -q -h "$(postgres_dir)/run" -U postgres -d postgres; }

ensure_postgres() {
  local dir data run
  dir=$(postgres_dir)
  data="$dir/data"
  run="$dir/run"
  export WS_TEST_DATABASE_URL
  WS_TEST_DATABASE_URL=$(postgres_url)
  # A socket path is limited to 107 bytes.
  if [ $(( ${#run} + 16 )) -gt 107 ]; then
    echo "ensure_postgres: socket directory path too long ($run); set WS_POSTGRES_DIR to a shorter one" >&2
    return 1
  fi
  [ -x "$PG_BIN/initdb" ] || { echo "ensure_postgres: $PG_BIN/initdb missing (Debian package postgresql-15)" >&2; return 1; }
  mkdir -p "$dir"
  (
    flock 9
    postgres_ready && exit 0
    mkdir -p "$run"
    if [ "$(id -u)" -eq 0 ]; then
      chown postgres: "$dir" "$run"
      [ -d "$data" ] && chown -R postgres: "$data"
      as_pg_owner test -w "$dir" || {
        echo "ensure_postgres: the postgres user cannot write $dir (a parent is not searchable?); set WS_POSTGRES_DIR" >&2
        exit 1
      }
    fi
    if [ ! -f "$data/PG_VERSION" ]; then
      log "creating a private PostgreSQL cluster in $data"
      as_pg_owner "$PG_BIN/initdb" -D "$data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 \
        >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
      # Only the superuser, only over the socket: no TCP, no other role, no replication.
      echo "local all postgres trust" | as_pg_owner tee "$data/pg_hba.conf" >/dev/null
    fi
    log "starting the private PostgreSQL cluster (socket in $run)"
    # fsync off: a test cluster, thrown away with var/; max_connections for parallel suites.
    as_pg_owner "$PG_BIN/pg_ctl" -D "$data" -l "$dir/postgres.log" -w -t 60 \
      -o "-c listen_addresses='' -c unix_socket_directories='$run' -c unix_socket_permissions=0700 \
-c max_connections=300 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" start \
      >"$dir/pg_ctl.log" 2>&1 9>&- </dev/null || {
      echo "ensure_postgres: the cluster did not start; its log:" >&2
      tail -20 "$dir/pg_ctl.log" "$dir/postgres.log" >&2
      exit 1
    }
  ) 9>"$dir/.lock"
}

# Stops the private cluster (the data stays).
stop_postgres() {
  local data
  data="$(postgres_dir)/data"
  [ -f "$data/postmaster.pid" ] || return 0
  as_pg_owner "$PG_BIN/pg_ctl" -D "$data" -m fast -w stop >/dev/null
}
