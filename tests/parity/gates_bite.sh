#!/usr/bin/env bash
# Proves the parity gates bite, through build/bin/parity as ./tools/test runs it: for each gate
# a clean run that must pass (exit 0) and planted violations that must fail with their finding.
#  check, on a scratch copy of the annotated tree (--root) with its doc rendered:
#   the copy passes; a deleted annotation exits 2 naming the row and backend; so do a
#   dispatcher whose PARITY_DISPATCHER is deleted, a PARITY_DISPATCHER naming a verb no function
#   defines, and a gate whose proof test is gone; a hand edit of docs/backends.md exits 1 with
#   the diff and the fix command.
#  verify, against this tree's annotations as after the tests:
#   results that agree with every annotation pass; the same with one parity row observed
#   unsupported exit 3 naming it; a real contract run with the Docker backend forced to answer
#   unsupported exits 3 naming it; no results at all exit 3.
#   gates_bite.sh SOURCE_DIR PARITY CONTRACT_TESTS
set -uo pipefail
src=$1 parity=$2 contract=$3
source "$(dirname "$0")/../support/expect.sh"

# A copy whose doc is rendered from its own annotations: clean by construction, whatever the
# state of the working tree (whether the committed doc is current is the parity.check test).
copy() {
  rm -rf "$work/tree" && mkdir -p "$work/tree"
  (cd "$src" && cp -r --parents parity.toml parity runtime/src runtime/include contract docs/backends.md docs/checks \
    checkers tools tests .clang-tidy "$work/tree/") &&
    "$parity" --root "$work/tree" render >/dev/null || fail "cannot make the scratch tree"
}

# ---- parity check ---------------------------------------------------------------------------
copy
run "$parity" --root "$work/tree" check
expect 0 "docs/backends.md is current" "check passes on a current copy"

sed -i '/PARITY_IMPL(workspace_stop, docker/d' "$work/tree/runtime/src/backends/docker/docker_provisioner.cpp"
run "$parity" --root "$work/tree" check
expect 2 "error: missing PARITY_IMPL or PARITY_UNSUPPORTED for 'workspace_stop' on docker" \
  "check fails on a deleted annotation"

copy
sed -i '/PARITY_DISPATCHER(stopWorkspaceAuto,/,/;$/d' "$work/tree/runtime/src/service/workspace_service.cpp"
run "$parity" --root "$work/tree" check
expect 2 "workspace_service.cpp:[0-9]+: error: dispatcher 'WorkspaceService::stopWorkspaceAuto' has no PARITY_DISPATCHER" \
  "check fails on a dispatcher without its annotation"
grep -q "1 annotation error(s)" <<<"$out" || fail "more than the planted error: $out"

copy
sed -i 's/PARITY_DISPATCHER(execAuto,/PARITY_DISPATCHER(execInContainerAuto,/' \
  "$work/tree/runtime/src/service/workspace_service.cpp"
run "$parity" --root "$work/tree" check
expect 2 "error: PARITY_DISPATCHER names 'execInContainerAuto', but no function in runtime/src defines it" \
  "check fails on a dispatcher annotation naming a verb that does not exist"
grep -q "dispatcher 'WorkspaceService::execAuto' has no PARITY_DISPATCHER" <<<"$out" ||
  fail "the dispatcher left without its annotation is not named: $out"

copy
sed -i 's/NAME layering.layers_bite /NAME layering.layers_bite_renamed /' "$work/tree/tests/CMakeLists.txt"
run "$parity" --root "$work/tree" check
expect 2 "gate 'layering' names 'layering.layers_bite' as the test proving it bites, but no CMakeLists.txt registers it" \
  "check fails on a gate whose proof test is gone"

copy
rm "$work/tree/docs/backends.md"
run "$parity" --root "$work/tree" check
expect 1 "docs/backends.md is missing; run: build/bin/parity render" "check fails when the doc is missing"

copy
sed -i 's/| ✅ parity |/| ✅ parity (trust me) |/' "$work/tree/docs/backends.md"
run "$parity" --root "$work/tree" check
expect 1 "trust me" "check fails on a hand edit of the doc, showing the diff"
grep -q "run: build/bin/parity render" <<<"$out" || fail "the fix command is not shown: $out"

# ---- parity verify --------------------------------------------------------------------------
mkdir -p "$work/none"
run "$parity" verify --results "$work/none" --out "$work/report"
expect 3 "backend docker produced no results: no evidence is not a pass" "verify fails without results"

# Results that agree with every annotation: each scenario observed as its row declares.
mkdir -p "$work/agree"
/usr/bin/python3 - "$work/report/parity.json" "$work/agree" <<'PY' || fail "cannot derive agreeing results"
import json, sys
report = json.load(open(sys.argv[1]))
results = []
for f in report["features"]:
    for s in f["scenarios"]:
        for backend, r in s["results"].items():
            results.append({"feature": f["id"], "scenario": s["name"], "backend": backend,
                            "expected": r["expected"], "observed": r["expected"], "detail": ""})
assert any(r["feature"] == "workspace_stop" and r["scenario"] == "StopIsIdempotent" and r["backend"] == "docker"
           and r["expected"] == "pass" for r in results), "workspace_stop/StopIsIdempotent is no longer a docker parity row"
json.dump({"results": results}, open(sys.argv[2] + "/all.json", "w"), indent=1)
PY
run "$parity" verify --results "$work/agree"
expect 0 "; 0 contradiction\(s\)" "verify passes on results that agree with the annotations"

/usr/bin/python3 - "$work/agree/all.json" <<'PY' || fail "cannot plant the contradiction"
import json, sys
doc = json.load(open(sys.argv[1]))
for r in doc["results"]:
    if (r["feature"], r["scenario"], r["backend"]) == ("workspace_stop", "StopIsIdempotent", "docker"):
        r["observed"], r["detail"] = "unsupported", "planted"
json.dump(doc, open(sys.argv[1], "w"), indent=1)
PY
run "$parity" verify --results "$work/agree"
expect 3 "workspace_stop/StopIsIdempotent on docker: declared parity \(expects pass\), observed unsupported" \
  "verify fails when one parity row is observed unsupported"
grep -q "1 contradiction(s)" <<<"$out" || fail "more than the planted contradiction: $out"

# The same through a real contract run: the Docker backend forced to answer unsupported.
WS_CONTRACT_RESULTS="$work/results" WS_CONTRACT_FORCE_UNSUPPORTED=docker \
  "$contract" --gtest_filter='Contract/docker.workspace_stop_StopIsIdempotent' >"$work/contract.log" 2>&1
grep -q '"observed": "unsupported"' "$work/results/docker.workspace_stop.StopIsIdempotent.json" ||
  fail "the forced backend did not record unsupported: $(cat "$work/contract.log")"
run "$parity" verify --results "$work/results"
expect 3 "workspace_stop/StopIsIdempotent on docker: declared parity \(expects pass\), observed unsupported" \
  "verify fails on a contract run whose backend answers unsupported on a parity row"

# A filtered run: only the Docker results of one scenario. Nothing is owed for the rest...
mkdir -p "$work/filtered"
/usr/bin/python3 - "$work/agree/all.json" "$work/filtered/docker.json" <<'PY' || fail "cannot derive filtered results"
import json, sys
doc = json.load(open(sys.argv[1]))
doc["results"] = [r for r in doc["results"] if (r["feature"], r["backend"]) == ("workspace_stop", "docker")]
assert doc["results"], "no workspace_stop results on docker"
json.dump(doc, open(sys.argv[2], "w"), indent=1)
PY
run "$parity" verify --results "$work/filtered"
expect 3 "backend controlplane produced no results" "a full verify fails on a filtered run's results"
sed -i 's/"observed": "unsupported"/"observed": "pass"/' "$work/filtered/docker.json"
run "$parity" verify --partial --results "$work/filtered"
expect 0 "; 0 contradiction\(s\)" "a partial verify passes on a filtered run that agrees"
sed -i '0,/"observed": "pass"/s//"observed": "fail"/' "$work/filtered/docker.json"
run "$parity" verify --partial --results "$work/filtered"
expect 3 "workspace_stop/.* on docker: declared parity \(expects pass\), observed fail" \
  "a partial verify still fails on what ran"

# ---- usage and I/O errors: exit 4 ----------------------------------------------------------
run "$parity" frobnicate
expect 4 "subcommand is required|frobnicate" "an unknown subcommand"
run "$parity" verify
expect 4 "--results is required" "verify without --results"
run "$parity" verify --results "$work/no-such-dir"
expect 4 "no results directory" "a missing results directory"
mkdir -p "$work/malformed" && printf '{"results": [' >"$work/malformed/x.json"
run "$parity" verify --results "$work/malformed"
expect 4 "x.json: not a contract results file" "a malformed results file"
copy
run "$parity" --root "$work/tree" render -o "$work/no-such-dir/backends.md"
expect 4 "cannot write" "an unwritable render output"
