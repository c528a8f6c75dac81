#!/usr/bin/env bash
# The CI recipe users copy (docs/ci), against docs/examples/jobrunner and the installed toolchain:
#  - parity.yml parses (python3-yaml), lints the pull request's diff to SARIF and uploads it,
#    runs the contract suites, parity check and verify, and publishes the report; every
#    parity / parity-lint option it uses is one the installed tools accept;
#  - parity-ci.sh, the same for other CI systems, passes the example as committed and writes
#    the report; on a pull-request branch that plants a direct backend call it lints only the
#    change (--base), fails, and still runs the contract suites and verify.
#   ci_recipe_test.sh SOURCE_DIR BUILD_DIR
set -uo pipefail
SRC=$1 BUILD=$2
source "$(dirname "$0")/common.sh"

install_toolchain
export PATH="$prefix/bin:$PATH"

# ---- parity.yml -----------------------------------------------------------------------------
parity --help >"$work/parity.help" 2>&1
parity verify --help >"$work/verify.help" 2>&1
parity-lint --help >"$work/lint.help" 2>&1 || fail "parity-lint --help"
python3 - "$SRC/docs/ci/parity.yml" "$work" <<'PY' || fail "docs/ci/parity.yml"
import re, sys, yaml
wf = yaml.safe_load(open(sys.argv[1]))
work = sys.argv[2]
helps = {name: open(f"{work}/{name}.help").read() for name in ("parity", "verify", "lint")}
steps = wf["jobs"]["parity"]["steps"]
uses = {s["uses"].split("@")[0] for s in steps if "uses" in s}
for action in ("actions/checkout", "github/codeql-action/upload-sarif", "actions/upload-artifact"):
    assert action in uses, f"no {action} step"
assert wf["permissions"]["security-events"] == "write", "upload-sarif needs security-events: write"
runs = "\n".join(s.get("run", "") for s in steps)
assert re.search(r'parity-lint .*--diff "origin/\$\{\{ github\.base_ref \}\}" --format sarif > lint\.sarif',
                 runs.replace("\n", " ")), "no diff lint to SARIF"
assert "ctest --test-dir" in runs, "no contract suites"
assert "parity check" in runs and "parity verify --results" in runs, "no parity gates"
sarif = [s for s in steps if s.get("uses", "").startswith("github/codeql-action/upload-sarif")][0]
assert sarif["with"]["sarif_file"] == "lint.sarif"
# Every option the workflow gives the tools is one they document.
for line in runs.replace(">-\n", " ").splitlines():
    for tool, help_ in (("parity-lint", helps["lint"]), ("parity verify", helps["verify"]), ("parity", helps["parity"])):
        if re.search(rf"(^|\s){re.escape(tool)}\s", line):
            for opt in re.findall(r"\s(--[a-z-]+)", line):
                assert opt in help_, f"{tool} has no {opt} (workflow line: {line.strip()})"
            break
print("ok: parity.yml parses and names only options the installed tools accept")
PY

# ---- parity-ci.sh on the example --------------------------------------------------------------
ex="$work/jobrunner"
cp -r "$SRC/docs/examples/jobrunner" "$ex" && cd "$ex" || fail "cannot copy the example"
git init -q -b main . && git add -A && git -c user.name=ci -c user.email=ci@localhost commit -qm example ||
  fail "cannot make the example a repository"
export CMAKE_ARGS="-G Ninja -DCMAKE_PREFIX_PATH=$prefix" REPORT_DIR="$work/report"
recipe="$SRC/docs/ci/parity-ci.sh"
run "$recipe"
expect 0 "parity-ci: every gate passed" "parity-ci.sh passes the example"
grep -q "lint: parity checks clean" <<<"$out" || { echo "$out"; fail "the full lint did not run"; }
for f in parity.html parity.json lint.sarif; do [ -s "$work/report/$f" ] || fail "no $f in the report"; done
echo "ok: the report holds parity.html, parity.json and lint.sarif"

git checkout -q -b change
printf '\nnamespace jobs {\nStatus planted(Runner& r) { return r.cancel("planted"); }\n}\n' >>src/cli.cpp
git -c user.name=ci -c user.email=ci@localhost commit -qam "a direct call"
run "$recipe" --base main
expect 1 "parity-ci: failed: parity-lint --diff main" "a pull request with a direct backend call fails the recipe"
grep -q "1 changed file(s), 1 translation unit(s) to lint" <<<"$out" || { echo "$out"; fail "the diff lint linted more than the change"; }
grep -q "parity-ci: failed: parity-lint" <<<"$out" && ! grep -qE "failed: (parity verify|contract|parity check)" <<<"$out" ||
  { echo "$out"; fail "a gate other than the lint failed"; }
grep -q "wrote $work/report/parity.json" <<<"$out" || { echo "$out"; fail "verify did not run after the lint failed"; }
python3 - "$work/report/lint.sarif" <<'PY' || fail "the SARIF does not hold the planted finding"
import json, sys
results = json.load(open(sys.argv[1]))["runs"][0]["results"]
assert [r["ruleId"] for r in results] == ["parity-direct-backend-call"], results
PY
echo "ok: lint.sarif holds exactly the planted finding"
