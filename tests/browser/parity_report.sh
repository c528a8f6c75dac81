#!/usr/bin/env bash
# parity.html in Debian's chromium: a report of this tree's annotations from results that
# agree with every row except one planted contradiction (workspace_stop/StopIsIdempotent fails
# on docker with a known message), written by `parity verify` as ./tools/test runs it, then
# read by tests/browser/parity_report.mjs (no console errors, filter, detail, sort, print).
# Then the same for a copy of this tree's rows with a third backend, swarm, that refuses
# workspace_hibernate: one column more, and its verdict, sort and toggle.
#   parity_report.sh SOURCE_DIR PARITY PLAYWRIGHT_DIR OUT_DIR
set -euo pipefail
src=$(cd "$1" && pwd) parity=$2 deps=$(cd "$3" && pwd)
mkdir -p "$4" && out=$(cd "$4" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# report ROOT NAME: parity.html of ROOT's annotations, with the planted contradiction, in $out/NAME.
report() {
  local root=$1 dir=$work/$2
  mkdir -p "$dir/none" "$dir/results"
  # Every scenario and backend with its expectation: a verify without results (it exits 3).
  "$parity" --root "$root" verify --results "$dir/none" --out "$dir/skeleton" >/dev/null 2>&1 || true
  /usr/bin/python3 - "$dir/skeleton/parity.json" "$dir/results/all.json" <<'PY'
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
  "$parity" --root "$root" verify --results "$dir/results" --out "$out/$2" --source-url "https://example.test/src/"
  local rc=$?
  set -e
  [ "$rc" -eq 3 ] || { echo "FAIL: parity verify of $2 exited $rc, want 3 (the planted contradiction)"; exit 1; }
}

report "$src" .
columns="$(sed -n 's/^PARITY_BACKEND(\([a-z_]*\),.*/\1/p' "$src/parity/features.def" | tr '\n' ' ')reference"
PARITY_HTML="$out/parity.html" PLAYWRIGHT_DIR="$deps" SCREENSHOT="$out/parity.png" \
  COLUMNS_WANTED="$columns" node "$src/tests/browser/parity_report.mjs"

# A tree with a partial row: this tree's rows, areas and scenarios (from its parity.json), every
# row implemented on each backend, swarm added when the tree lacks it, and swarm refusing one.
three=$work/three
mkdir -p "$three/parity" "$three/runtime/src" "$three/contract" "$three/docs"
/usr/bin/python3 - "$work/skeleton/parity.json" "$src/parity/features.def" "$three" <<'PY'
import json, re, sys
report, features, root = json.load(open(sys.argv[1])), open(sys.argv[2]).read(), sys.argv[3]
backends = re.findall(r"^PARITY_BACKEND\((\w+),", features, re.M)
assert len(backends) >= 2, backends
if "swarm" not in backends:
    features = re.sub(r"^(PARITY_BACKEND\(" + backends[-1] + r",.*)$", r'\1\nPARITY_BACKEND(swarm, "Docker Swarm")',
                      features, flags=re.M)
    backends.append("swarm")
open(f"{root}/parity/features.def", "w").write(features)
open(f"{root}/columns", "w").write(" ".join(backends + ["reference"]))
src, scenarios = [], []
for f in report["features"]:
    if "unbuilt" in f:
        src.append(f'PARITY_UNBUILT({f["id"]}, "not built", "roadmap#x");')
        continue
    for b in backends:
        if (f["id"], b) == ("workspace_hibernate", "swarm"):
            src.append(f'PARITY_UNSUPPORTED({f["id"]}, {b}, "no hibernation of services", "roadmap#swarm");')
        else:
            src.append(f'PARITY_IMPL({f["id"]}, {b}, "implemented");')
    if "diverges" in f:
        src.append(f'PARITY_DIVERGES({f["id"]}, "differs", "roadmap#x");')
    scenarios += [f'CONTRACT_SCENARIO({f["id"]}, {s["name"]}) {{}}' for s in f["scenarios"]]
open(f"{root}/runtime/src/backends.cpp", "w").write("\n".join(src) + "\n")
open(f"{root}/contract/scenarios.cpp", "w").write("\n".join(scenarios) + "\n")
open(f"{root}/parity.toml", "w").write('sources = ["runtime/src"]\nreference = "reference"\n')
PY
"$parity" --root "$three" render >/dev/null
"$parity" --root "$three" check >/dev/null
report "$three" three
PARITY_HTML="$out/three/parity.html" PLAYWRIGHT_DIR="$deps" COLUMNS_WANTED="$(cat "$three/columns")" \
  PARTIAL_ROW="f-workspace_hibernate" PARTIAL_VERDICT="◐ unsupported on swarm" \
  node "$src/tests/browser/parity_report.mjs"
