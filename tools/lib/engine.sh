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

# Prints a port in [base, base+span) that nothing on this host listens on (TCP) or binds (UDP),
# starting at an offset derived from the checkout, so that the private engines of several
# checkouts do not race for the same one.
free_port() {
  python3 - "$1" "$2" "$(printf '%s' "$ROOT" | sha256sum | cut -c1-6)" <<'PY'
import socket, sys
base, span, key = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3], 16)
for i in range(span):
    p = base + (key + i) % span
    try:
        for kind in (socket.SOCK_STREAM, socket.SOCK_DGRAM):
            s = socket.socket(socket.AF_INET, kind)
            s.bind(("127.0.0.1", p))
            s.close()
        print(p)
        break
    except OSError:
        continue
PY
}

# ensure_swarm: makes the PRIVATE engine (the one ensure_engine started for this checkout) the
# manager of a single-node swarm, once; a user's engine at DOCKER_HOST is never touched (when it
# already manages a swarm it is used as it is). Raft and data-path ports are free ones off the
# defaults, and the ingress network is removed (workspaces use the host network), so that the
# private engines of several checkouts can each run a swarm on this host.
ensure_swarm() {
  local key state
  key=$(printf '%s' "$ROOT" | sha256sum | cut -c1-10)
  state=$(timeout 10 docker info --format '{{.Swarm.LocalNodeState}} {{.Swarm.ControlAvailable}}' 2>/dev/null)
  if [ "$state" = "active true" ]; then
    log "the engine at $DOCKER_HOST manages a swarm"
    return 0
  fi
  if [ "$DOCKER_HOST" != "unix:///tmp/ws-engine-$key/docker.sock" ]; then
    log "the engine at $DOCKER_HOST is not this checkout's private engine: no swarm is initialised there (contract.swarm will fail)"
    return 0
  fi
  local listen data
  listen=$(free_port 42300 600) data=$(free_port 43000 600)
  [ -n "$listen" ] && [ -n "$data" ] || { echo "no free ports for the swarm" >&2; return 1; }
  log "initialising a single-node swarm on the private engine (raft 127.0.0.1:$listen, data path $data)"
  # The swarm's gateway bridge, made first under a name of this checkout's: the default name
  # (docker_gwbridge) is one host interface that every engine here would fight over.
  if ! docker network inspect docker_gwbridge >/dev/null 2>&1; then
    docker network create --driver bridge --subnet "10.$((0x${key:0:2} % 200 + 20)).$((0x${key:2:2})).0/24" \
      --opt "com.docker.network.bridge.name=wsgw${key:0:8}" --opt com.docker.network.bridge.enable_icc=false \
      --opt com.docker.network.bridge.enable_ip_masquerade=false docker_gwbridge >/dev/null || return 1
  fi
  docker swarm init --advertise-addr 127.0.0.1 --listen-addr "127.0.0.1:$listen" --data-path-port "$data" >/dev/null || return 1
  docker network rm ingress >/dev/null 2>&1 <<<y || true
}
