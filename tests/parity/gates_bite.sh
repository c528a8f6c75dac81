#!/usr/bin/env bash
# Proves the parity gates can fail, on a scratch copy of the annotated tree:
#  1. deleting an annotation fails `parity check` (exit 2, naming the row and backend);
#  2. editing docs/backends.md by hand fails `parity check` (exit 1, with a diff);
#  3. a backend that answers unsupported for a row declared parity fails `parity verify` (exit 3).
set -uo pipefail
src=$1 parity=$2 contract=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

copy() {
  rm -rf "$work/tree" && mkdir -p "$work/tree"
  (cd "$src" && cp -r --parents parity runtime/src runtime/include contract docs/backends.md "$work/tree/")
}

copy
"$parity" --root "$work/tree" check >/dev/null || fail "the pristine copy does not pass check"

# 1. Delete the Docker stop annotation.
sed -i '/PARITY_IMPL(workspace_stop, docker/d' "$work/tree/runtime/src/backends/docker/docker_provisioner.cpp"
out=$("$parity" --root "$work/tree" check 2>&1); rc=$?
[ $rc -eq 2 ] || fail "deleting an annotation: check exited $rc, want 2"
grep -q "error: missing PARITY_IMPL or PARITY_UNSUPPORTED for 'workspace_stop' on docker" <<<"$out" || fail "no missing-annotation error: $out"
echo "ok: deleting an annotation fails check (exit 2)"

# 2. Edit the generated doc by hand.
copy
sed -i 's/| ✅ parity |/| ✅ parity (trust me) |/' "$work/tree/docs/backends.md"
out=$("$parity" --root "$work/tree" check 2>&1); rc=$?
[ $rc -eq 1 ] || fail "a hand edit: check exited $rc, want 1"
grep -q "trust me" <<<"$out" || fail "the diff is not shown: $out"
grep -q "run: build/bin/parity render" <<<"$out" || fail "the fix command is not shown: $out"
echo "ok: a hand edit fails check (exit 1)"

# 3. Make the Docker backend answer unsupported for a row declared parity, run its scenario,
#    and verify those results.
WS_CONTRACT_RESULTS="$work/results" WS_CONTRACT_FORCE_UNSUPPORTED=docker \
  "$contract" --gtest_filter='Contract/docker.workspace_stop_StopIsIdempotent' >"$work/contract.log" 2>&1
grep -q '"observed": "unsupported"' "$work/results/docker.workspace_stop.StopIsIdempotent.json" ||
  fail "the forced backend did not record unsupported: $(cat "$work/contract.log")"
out=$("$parity" verify --results "$work/results" 2>&1); rc=$?
[ $rc -eq 3 ] || fail "a backend answering unsupported: verify exited $rc, want 3"
grep -q "workspace_stop/StopIsIdempotent on docker: declared parity (expects pass), observed unsupported" <<<"$out" ||
  fail "the contradiction is not named: $out"
echo "ok: a backend answering unsupported on a parity row fails verify (exit 3)"
