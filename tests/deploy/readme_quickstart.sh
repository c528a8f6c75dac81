#!/usr/bin/env bash
# README.md's quickstart, run verbatim: the block after "<!-- quickstart -->" talks to a server
# that this script starts as ./tools/run would (port 8080, var/workspace.db and its admin token
# file in the working directory, the backend the environment names: the Docker Engine at
# DOCKER_HOST in ./tools/test). Fails when a command of the block fails, the echo never comes
# back, or the block runs over two minutes.
#   readme_quickstart.sh <source dir> <workspace-server binary>
set -euo pipefail
src=$(realpath "$1") server=$(realpath "$2")
block=$(awk '/<!-- quickstart -->/ { armed = 1; next } armed && /^```sh$/ { inside = 1; next } inside && /^```$/ { exit } inside { print }' "$src/README.md")
[ -n "$block" ] || { echo "README.md has no quickstart block" >&2; exit 1; }
if curl -s -o /dev/null "http://127.0.0.1:8080/health"; then
  echo "port 8080 is taken: the quickstart needs it (stop the server that runs there)" >&2
  exit 1
fi
dir=$(mktemp -d)
trap 'kill -TERM $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -rf "$dir"' EXIT
cd "$dir"
mkdir var
env -u ADMIN_TOKEN "$server" --plugins-dir "$src/plugins" --templates-dir "$src/templates" \
  --org-templates-dir "$src/templates/org" >server.log 2>&1 &
pid=$!
for _ in $(seq 100); do [ -s var/workspace.db.admin-token ] && curl -fs -o /dev/null http://127.0.0.1:8080/health && break; sleep 0.1; done
out=$(timeout 120 bash -euo pipefail -c "$block") || { echo "the quickstart failed:"; echo "$out"; tail -20 server.log; exit 1; } >&2
echo "$out"
for expected in '"text": "echo: hello"' '"activity_type": "a2a_receive"' '"status":"removed"'; do
  grep -qF "$expected" <<<"$out" || { echo "the quickstart's output lacks $expected" >&2; exit 1; }
done
echo "README quickstart: ok"
