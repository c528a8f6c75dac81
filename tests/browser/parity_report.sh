#!/usr/bin/env bash
# parity.html in Debian's chromium: a report of this tree's annotations from results that
# agree with every row except one planted contradiction (workspace_stop/StopIsIdempotent fails
# on docker with a known message), written by `parity verify` as ./tools/test runs it, then
# read by tests/browser/parity_report.mjs (no console errors, filter, detail, sort, print).
#   parity_report.sh SOURCE_DIR PARITY PLAYWRIGHT_DIR OUT_DIR
set -euo pipefail
src=$(cd "$1" && pwd) parity=$2 deps=$(cd "$3" && pwd)
mkdir -p "$4" && out=$(cd "$4" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/none" "$work/results"

# Every scenario and backend with its expectation: a verify without results (it exits 3).
"$parity" --root "$src" verify --results "$work/none" --out "$work/skeleton" >/dev/null 2>&1 || true
/usr/bin/python3 - "$work/skeleton/parity.json" "$work/results/all.json" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
results = []
for f in report["features"]:
    for s in f["scenarios"]:
        for backend, r in s["results"].items():
            observed, detail = r["expected"], ""
            if (f["id"], s["name"], backend) == ("workspace_stop", "StopIsIdempotent", "docker"):
                observed, detail = "fail", "planted: the container is still there after stop"
            results.append({"feature": f["id"], "scenario": s["name"], "backend": backend,
                            "expected": r["expected"], "observed": observed, "detail": detail})
assert any(r["observed"] == "fail" for r in results), "workspace_stop/StopIsIdempotent is gone from the tree"
json.dump({"results": results}, open(sys.argv[2], "w"), indent=1)
PY

set +e
"$parity" --root "$src" verify --results "$work/results" --out "$out" --source-url "https://example.test/src/"
rc=$?
set -e
[ "$rc" -eq 3 ] || { echo "FAIL: parity verify exited $rc, want 3 (the planted contradiction)"; exit 1; }

PARITY_HTML="$out/parity.html" PLAYWRIGHT_DIR="$deps" SCREENSHOT="$out/parity.png" \
  node "$src/tests/browser/parity_report.mjs"
