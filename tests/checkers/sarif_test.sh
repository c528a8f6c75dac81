#!/usr/bin/env bash
# tools/tidy-to-sarif on a known finding: the team-expand fixture yields two results whose
# rule ids, levels and line/column match clang-tidy's own text output.
#   sarif_test.sh SOURCE_DIR PLUGIN
set -euo pipefail
src=$1 plugin=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fixture="$src/tests/checkers/fixtures/team_expand_incident.cpp"
/usr/lib/llvm-19/bin/clang-tidy --load="$plugin" --quiet --checks='-*,parity-*' --warnings-as-errors='parity-*' \
  --export-fixes="$work/fixes.yaml" "$fixture" -- -std=c++20 >/dev/null 2>&1 && rc=0 || rc=$?
[ "$rc" -eq 1 ] || { echo "FAIL: clang-tidy exited $rc on the fixture, want 1 (its findings are errors)"; exit 1; }
"$src/tools/tidy-to-sarif" "$work/fixes.yaml" > "$work/out.sarif"
/usr/bin/python3 - "$work/out.sarif" "$fixture" <<'PY'
import json, sys
sarif = json.load(open(sys.argv[1]))
assert sarif["version"] == "2.1.0", sarif["version"]
results = sorted(sarif["runs"][0]["results"], key=lambda r: r["locations"][0]["physicalLocation"]["region"]["startColumn"])
got = [(r["ruleId"], r["level"], r["locations"][0]["physicalLocation"]["region"]["startLine"],
        r["locations"][0]["physicalLocation"]["region"]["startColumn"]) for r in results]
want = [("parity-bespoke-dispatch", "error", 7, 3), ("parity-direct-backend-call", "error", 7, 37)]
assert got == want, f"got {got}, want {want}"
assert all(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].endswith("team_expand_incident.cpp") for r in results)
rules = [r["id"] for r in sarif["runs"][0]["tool"]["driver"]["rules"]]
assert rules == ["parity-bespoke-dispatch", "parity-direct-backend-call"], rules
print("sarif: ok,", len(results), "results")
PY
