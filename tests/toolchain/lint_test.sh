#!/usr/bin/env bash
# The installed parity-lint (tools/lint) on docs/examples/jobrunner, built against the installed
# toolchain: it finds its helpers, its plugin and the example's .clang-tidy from the install
# alone; the example lints clean; a planted direct backend call and a bulk path that lost its
# gate fail it (exit 1) with exactly those two findings, also as SARIF (carrying the installed
# version and rule docs from the installed share/doc/parity-toolchain/checks).
#   lint_test.sh SOURCE_DIR BUILD_DIR
set -uo pipefail
SRC=$1 BUILD=$2
source "$(dirname "$0")/common.sh"

install_toolchain
build_example
lint() { run "$prefix/bin/parity-lint" --root "$ex" --build "$ex/build" --under src "$@"; }

cd "$work" || exit 1  # not inside the example: --root names it
lint
expect 0 "^lint: parity checks clean$" "the installed parity-lint passes the example clean"

printf '\nnamespace jobs {\nStatus planted(Runner& r) { return r.cancel("planted"); }\n}\n' >>"$ex/src/cli.cpp"
sed -i 's/  if (!hasRunner()) return 0;/  \/\/ the gate, removed/' "$ex/src/service.cpp"
grep -q "the gate, removed" "$ex/src/service.cpp" || fail "cannot remove the gate from launchAll"
lint
expect 1 "lint: 2 parity finding" "the planted breaks fail the installed parity-lint"
grep -qE "src/cli.cpp:25:38: error: direct call of backend method 'cancel' outside a dispatcher; call JobService::cancelAuto instead \[parity-direct-backend-call" <<<"$out" ||
  { echo "$out"; fail "no direct-call finding"; }
grep -qE "src/service.cpp:[0-9]+:[0-9]+: error: 'jobs::JobService::launchAll' does not gate on hasRunner\(\)" <<<"$out" ||
  { echo "$out"; fail "no provisioning-gate finding"; }
echo "ok: both planted breaks are reported with the example's names"

lint --format sarif
[ "$rc" -eq 1 ] || { echo "$out"; fail "--format sarif: exit $rc, want 1"; }
"$prefix/bin/parity-lint" --root "$ex" --build "$ex/build" --under src --format sarif >"$work/lint.sarif" 2>/dev/null
version=$(sed -n 's/^project([^)]*VERSION \([0-9.]*\).*/\1/p' "$SRC/CMakeLists.txt")
python3 - "$work/lint.sarif" "$version" "$prefix/share/doc/parity-toolchain/checks" <<'PY' ||
import json, sys
from pathlib import Path
run = json.load(open(sys.argv[1]))["runs"][0]
rules = sorted(r["ruleId"] for r in run["results"])
assert rules == ["parity-direct-backend-call", "parity-provisioning-gate"], rules
driver = run["tool"]["driver"]
assert driver["version"] == sys.argv[2], (driver.get("version"), sys.argv[2])
docs = Path(sys.argv[3]).resolve().as_uri() + "/"
for rule in driver["rules"]:
    assert rule["fullDescription"]["text"], rule
    assert rule["helpUri"] == docs + rule["id"] + ".md", (rule["helpUri"], docs)
PY
  fail "the SARIF does not carry the two findings, the installed version and the installed check docs"
echo "ok: --format sarif carries the two findings, the installed version and the installed check docs"
