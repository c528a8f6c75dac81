# Docker Engine helpers for tools/run, tools/test and the benchmarks. Sourced, not executed.
#
# ensure_engine: use the engine that answers at DOCKER_HOST (or the default socket); when none
# does, start a private one from Debian's docker.io with its data under var/docker and
# workspaces on host networking. Exports DOCKER_HOST either way.

ENGINE_STARTED_HERE=""

engine_answers() { timeout 5 docker version --format '{{.Server.APIVersion}}' >/dev/null 2>&1; }

ensure_engine() {
  if [ -n "${DOCKER_HOST:-}" ] && engine_answers; then
    log "using the Docker Engine at $DOCKER_HOST"
    return 0
  fi
  if [ -z "${DOCKER_HOST:-}" ] && [ -S /var/run/docker.sock ] && DOCKER_HOST=unix:///var/run/docker.sock engine_answers; then
    export DOCKER_HOST=unix:///var/run/docker.sock
    log "using the Docker Engine at $DOCKER_HOST"
    return 0
  fi
  # A private engine. Socket paths are limited to 108 bytes, so runtime state lives in /tmp.
  local key
  key=$(printf '%s' "$ROOT" | sha256sum | cut -c1-10)
  local run_dir="/tmp/ws-engine-$key" data_dir="$ROOT/var/docker"
  mkdir -p "$run_dir" "$data_dir"
  export DOCKER_HOST="unix://$run_dir/docker.sock"
  if engine_answers; then
    log "using the private Docker Engine at $DOCKER_HOST"
    return 0
  fi
  log "starting a private Docker Engine (data in $data_dir, socket $run_dir/docker.sock)"
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  # No bridge and no iptables: workspaces use host networking, nothing leaves loopback.
  $sudo dockerd --data-root "$data_dir" --exec-root "$run_dir/exec" --pidfile "$run_dir/dockerd.pid" \
    -H "$DOCKER_HOST" --bridge=none --iptables=false --ip-masq=false \
    >"$ROOT/var/dockerd.log" 2>&1 &
  ENGINE_STARTED_HERE=$run_dir
  for _ in $(seq 150); do
    engine_answers && { log "private Docker Engine is up"; return 0; }
    sleep 0.2
  done
  echo "the private Docker Engine did not come up; its log:" >&2
  tail -20 "$ROOT/var/dockerd.log" >&2
  return 1
}

# Stops the private engine if this script started it.
stop_engine() {
  [ -n "$ENGINE_STARTED_HERE" ] || return 0
  local pid
  pid=$(cat "$ENGINE_STARTED_HERE/dockerd.pid" 2>/dev/null) || return 0
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
}

# Builds the agent image unless the engine already has it for this exact agent binary.
ensure_agent_image() {
  "$ROOT/tools/make-agent-image" --agent "$BUILD_DIR/bin/workspace-agent" --quiet
}
