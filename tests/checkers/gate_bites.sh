#!/usr/bin/env bash
# Proves the lint gate can fail, through tools/lint itself: a scratch copy of the tree with one
# direct backend stop call appended to a real handler is linted with the build's plugin and
# flags (tools/lint moves the build's paths to the copy). It must exit 1 and print exactly
# that finding (also in --sarif output); the unmodified handler must exit 0 with nothing but
# the summary line; a handler clang cannot compile must exit 1; a missing build or a file that
# is not a translation unit must exit 2.
#   gate_bites.sh SOURCE_DIR BUILD_DIR
set -uo pipefail
src=$1 build=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
run() {  # run OUT COMMAND...: the command's exit status in $rc, its output in OUT
  local out=$1; shift
  "$@" >"$out" 2>&1; rc=$?
}

tree="$work/tree"
mkdir -p "$tree"
(cd "$src" && cp -r --parents runtime parity tools .clang-tidy "$tree/") || fail "cannot copy the tree"
handler=runtime/src/handlers/team.cpp

# Clean: just the summary line.
run "$work/clean" "$tree/tools/lint" --build "$build" "$handler"
[ $rc -eq 0 ] || { cat "$work/clean"; fail "the unmodified $handler: lint exited $rc, want 0"; }
[ "$(cat "$work/clean")" = "lint: parity checks clean" ] || { cat "$work/clean"; fail "a clean lint printed more than the summary line"; }
echo "ok: the clean handler passes with only the summary line"

# One planted violation.
cp "$tree/$handler" "$work/clean.cpp"
cat >>"$tree/$handler" <<'EOF'

#include "ws/provisioner.h"
namespace ws {
void gateBitesPlanted(Provisioner& p, const std::string& id) { (void)p.stop(id); }
}  // namespace ws
EOF
line=$(grep -n 'gateBitesPlanted' "$tree/$handler" | cut -d: -f1)
run "$work/planted" "$tree/tools/lint" --build "$build" --sarif "$work/out.sarif" "$handler"
[ $rc -eq 1 ] || { cat "$work/planted"; fail "a planted direct stop: lint exited $rc, want 1"; }
findings=$(grep -E ': (warning|error): .*\[parity-' "$work/planted")
[ "$(grep -c . <<<"$findings")" -eq 1 ] || { cat "$work/planted"; fail "want exactly one finding"; }
grep -q "^$tree/$handler:$line:[0-9]*: error: direct call of backend method 'stop' outside a dispatcher.*\[parity-direct-backend-call" \
  <<<"$findings" || { cat "$work/planted"; fail "the finding is not the planted call at line $line"; }
grep -q '^lint: 1 parity finding(s)$' "$work/planted" || { cat "$work/planted"; fail "no failure summary"; }
if grep -v -E "^($tree/$handler:$line:|  *[0-9]+ \||  *\| |lint: 1 parity finding)" "$work/planted" | grep -q .; then
  cat "$work/planted"; fail "output beyond the finding (compiler noise?)"
fi
/usr/bin/python3 - "$work/out.sarif" "$line" <<'PY' || fail "the SARIF output does not hold the finding"
import json, sys
results = json.load(open(sys.argv[1]))["runs"][0]["results"]
got = [(r["ruleId"], r["locations"][0]["physicalLocation"]["region"]["startLine"]) for r in results]
assert got == [("parity-direct-backend-call", int(sys.argv[2]))], got
PY
echo "ok: the planted direct stop fails the lint (exit 1) at $handler:$line, in text and SARIF"

# A translation unit clang cannot compile is a failure too, never a silent pass.
cp "$work/clean.cpp" "$tree/$handler"
printf 'this is not C++;\n' >>"$tree/$handler"
run "$work/broken" "$tree/tools/lint" --build "$build" "$handler"
[ $rc -eq 1 ] || { cat "$work/broken"; fail "an uncompilable handler: lint exited $rc, want 1"; }
grep -q "^$tree/$handler:.*: error: .*\[clang-diagnostic-error\]" "$work/broken" &&
  grep -q "^lint: clang-tidy failed" "$work/broken" || { cat "$work/broken"; fail "the compiler error is not shown"; }
echo "ok: an uncompilable handler fails the lint (exit 1) with the compiler error"

# Cannot lint: exit 2, never a pass.
run "$work/nobuild" "$tree/tools/lint" --build "$work/no-such-build" "$handler"
[ $rc -eq 2 ] || { cat "$work/nobuild"; fail "a missing build: lint exited $rc, want 2"; }
run "$work/notu" "$tree/tools/lint" --build "$build" runtime/src/handlers/no_such_file.cpp
[ $rc -eq 2 ] || { cat "$work/notu"; fail "a file outside the compile database: lint exited $rc, want 2"; }
grep -q "not in .*compile_commands.json" "$work/notu" || { cat "$work/notu"; fail "the missing file is not named"; }
echo "ok: a missing build or an unknown file exits 2"
