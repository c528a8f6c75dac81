#!/usr/bin/env bash
# The server's own image (tools/make-server-image) on the Docker Engine at DOCKER_HOST: it
# starts as an unprivileged user, answers /health, serves the API with the admin token from its
# environment, keeps its data in the volume across a new container, and lists the shipped
# templates. Fails without an engine.
#   server_image.sh <source dir> <workspace-server binary>
set -euo pipefail
src=$1 server=$2
tag="molecule-local/workspace-server:test-$$"
volume="ws-server-image-test-$$"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
names=()
cleanup() {
  for n in "${names[@]}"; do docker rm -f "$n" >/dev/null 2>&1 || true; done
  docker volume rm -f "$volume" >/dev/null 2>&1 || true
  docker image rm -f "$tag" >/dev/null 2>&1 || true
}
trap cleanup EXIT
fail() { echo "server image: $*" >&2; for n in "${names[@]}"; do docker logs "$n" 2>&1 | tail -20 >&2 || true; done; exit 1; }

"$src/tools/make-server-image" --server "$server" --tag "$tag" --force --quiet
user=$(docker image inspect --format '{{.Config.User}}' "$tag")
[ "$user" = "10001:10001" ] || fail "runs as '$user', not the unprivileged user"

start() {
  local name="ws-server-image-test-$$-$1"
  names+=("$name")
  # Host networking: the private engine has no bridge; the server binds loopback only here.
  docker run -d --name "$name" --network host -v "$volume:/var/lib/workspace-server" \
    -e PORT="$port" -e BIND_ADDRESS=127.0.0.1 -e ADMIN_TOKEN=image-admin -e WORKSPACE_BACKEND=none "$tag" >/dev/null
  for _ in $(seq 100); do
    curl -fsS "http://127.0.0.1:$port/health" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  fail "no /health answer from $name"
}
api() { curl -sS -H "Authorization: Bearer image-admin" -H 'Content-Type: application/json' "$@"; }

start one
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/workspaces")" = 401 ] || fail "the API answered without a token"
id=$(api -X POST "http://127.0.0.1:$port/workspaces" -d '{"name":"from the image","external":true}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
api "http://127.0.0.1:$port/templates" | grep -q '"id":"default"' || fail "the shipped templates are not listed"
docker rm -f "${names[0]}" >/dev/null

start two
api "http://127.0.0.1:$port/workspaces/$id" | grep -q '"name":"from the image"' || fail "the workspace did not survive a new container"
echo "server image: ok ($tag, port $port)"
