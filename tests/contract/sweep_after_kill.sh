#!/usr/bin/env bash
# Kills a contract run midway and proves that tools/contract-sweep leaves nothing behind.
#
#   sweep_after_kill.sh <source dir> <contract_tests binary> <controlplane|docker>
#
# The run (the org-import scenario: ten workloads) is killed with SIGKILL once its state file
# names a workload that is up. Its servers, its cp-emulator and its workloads then outlive it;
# the sweep must end the processes, remove the instances or containers and volumes, the
# private directories, and the state file.
set -euo pipefail

src=$1 bin=$2 backend=$3
state=$(mktemp -d /tmp/ws-sweep-kill-XXXXXX)
run=""
finish() {
  [ -n "$run" ] && kill -9 "$run" 2>/dev/null || true
  # Whatever this test saw, nothing of the killed run may outlive it.
  "$src/tools/contract-sweep" --state-dir "$state" --quiet >/dev/null 2>&1 || true
  rm -rf "$state"
}
trap finish EXIT
fail() { echo "FAIL: $*" >&2; [ -f "$state/run.log" ] && tail -30 "$state/run.log" >&2; exit 1; }

export WS_CONTRACT_STATE=$state/files WS_CONTRACT_RESULTS=$state/results
docker_host=${DOCKER_HOST:-unix:///var/run/docker.sock}

from="$state/files/*.jsonl"  # where records() reads: the live file, then a copy of it
records() { eval cat "$from" 2>/dev/null | jq -c 'select(type == "object")' 2>/dev/null || true; }
record() { records | jq -c "select(.kind == \"$1\")" | head -1; }

# The number of the run's workloads that are up, asked of the backend itself.
workloads_up() {
  if [ "$backend" = controlplane ]; then
    local scope url
    scope=$(record cp-scope)
    [ -n "$scope" ] || { echo 0; return; }
    url=$(jq -r .emulator <<<"$scope")
    curl -s --max-time 5 -H "Authorization: Bearer $(jq -r .shared_secret <<<"$scope")" \
      -H "X-Molecule-Admin-Token: $(jq -r .admin_token <<<"$scope")" \
      "$url/cp/workspaces?org_id=$(jq -r .org_id <<<"$scope")" |
      jq '[.instances[]? | select(.state == "running")] | length' 2>/dev/null || echo 0
  else
    engine "/containers/json?filters=$(docker_filter)" | jq 'length' 2>/dev/null || echo 0
  fi
}
engine() { curl -s --max-time 10 --unix-socket "${docker_host#unix://}" "http://localhost$1"; }
docker_filter() {
  local instance
  instance=$(record docker-scope | jq -r '.labels["molecule.platform.instance"]')
  jq -rn --arg i "$instance" '{label: ["molecule.platform.instance=" + $i]} | @uri'
}
alive() {  # pid start: the recorded process is still that process (a zombie is not: it holds nothing)
  local fields
  fields=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null) || return 1
  [ "$(awk '{print $1}' <<<"$fields")" != Z ] && [ "$(awk '{print $20}' <<<"$fields")" = "$2" ]
}
processes() { records | jq -r 'select(.kind == "process") | "\(.pid) \(.start) \(.role) \(.dir)"'; }

"$bin" --gtest_filter="Contract/$backend.org_import*" >"$state/run.log" 2>&1 &
run=$!
deadline=$((SECONDS + 180))
until [ "$(workloads_up)" -ge 1 ]; do
  kill -0 "$run" 2>/dev/null || fail "the run ended before any workload was up"
  [ $SECONDS -lt $deadline ] || fail "no workload came up in time"
  sleep 0.1
done
kill -9 "$run"
wait "$run" 2>/dev/null || true
run=""
echo "killed the run with $(workloads_up) workload(s) up"

# What the killed run left: its file, its processes (servers, emulator) and its workloads.
[ -n "$(ls "$state"/files/*.jsonl 2>/dev/null)" ] || fail "the killed run left no state file"
cp "$state"/files/*.jsonl "$state/left.jsonl"
from="$state/left.jsonl"
left=0
while read -r pid start role dir; do
  alive "$pid" "$start" && { echo "left running: $role $pid"; left=$((left + 1)); }
done < <(processes)
[ "$left" -ge 1 ] || fail "the killed run left no process behind: nothing to prove"
[ "$(workloads_up)" -ge 1 ] || fail "no workload outlived the run: nothing to prove"

"$src/tools/contract-sweep" --state-dir "$state/files" || fail "contract-sweep reported something left"

# Nothing is left.
[ -z "$(ls "$state"/files/*.jsonl 2>/dev/null)" ] || fail "the state file is still there"
while read -r pid start role dir; do
  ! alive "$pid" "$start" || fail "$role $pid still runs"
  [ ! -e "$dir" ] || fail "$role's directory $dir is still there"
done < <(processes)
if [ "$backend" = controlplane ]; then
  data_dir=$(record cp-scope | jq -r .data_dir)
  for root in /proc/[0-9]*/root; do
    case "$(readlink "$root" 2>/dev/null)" in "$data_dir"*) fail "${root%/root} still runs inside $data_dir" ;; esac
  done
else
  filter=$(docker_filter)
  [ "$(engine "/containers/json?all=1&filters=$filter" | jq length)" = 0 ] || fail "containers are left"
  [ "$(engine "/volumes?filters=$filter" | jq '.Volumes // [] | length')" = 0 ] || fail "volumes are left"
fi
echo "PASS: the sweep left nothing of the killed run"
