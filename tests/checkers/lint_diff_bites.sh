#!/usr/bin/env bash
# Proves tools/lint --diff lints what a change touches and reports only its lines, through the
# real entry point: a scratch copy of the tree becomes a git repository whose base commit
# already holds one direct backend stop call in a handler (an old finding, off the diff).
#   - a change elsewhere in that handler with no new finding exits 0, the old one unreported;
#   - a branch that adds a second call exits 1 naming only the new one (text, --sarif, and
#     --format github/sarif on stdout), and its diff is taken from the merge base: a later
#     commit on the base branch adds no translation unit;
#   - a finding planted in a header is found through the translation units that include it;
#   - a change that touches no translation unit lints nothing and exits 0; an unknown base
#     exits 2.
#   lint_diff_bites.sh SOURCE_DIR BUILD_DIR
set -uo pipefail
src=$1 build=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
run() {  # run NAME COMMAND...: exit status in $rc, stdout in NAME.out, stderr in NAME.err
  local name=$1; shift
  "$@" >"$work/$name.out" 2>"$work/$name.err"; rc=$?
}
show() { cat "$work/$1.out" "$work/$1.err"; }

tree="$work/tree"
mkdir -p "$tree"
(cd "$src" && cp -r --parents runtime parity tools .clang-tidy "$tree/") || fail "cannot copy the tree"
g() { git -C "$tree" -c user.name=t -c user.email=t@t -c commit.gpgsign=false "$@"; }
handler=runtime/src/handlers/team.cpp header=runtime/src/service/mcp_tools.h
plant() {  # plant FILE NAME: append a direct stop call in a function NAME
  printf '\n#include "ws/provisioner.h"\nnamespace ws {\ninline void %s(Provisioner& p, const std::string& id) { (void)p.stop(id); }\n}  // namespace ws\n' \
    "$2" >>"$tree/$1"
}
lint() { "$tree/tools/lint" --build "$build" "$@"; }
plant "$handler" oldFinding
old=$(grep -n oldFinding "$tree/$handler" | cut -d: -f1)
g init -q -b main && g add -A && g commit -qm base || fail "cannot make the scratch repository"

# A change with no new finding: clean, though the file holds the old one.
echo '// a comment' >>"$tree/$handler"
run clean lint --diff HEAD
[ $rc -eq 0 ] || { show clean; fail "a change without a new finding: exit $rc, want 0"; }
[ "$(cat "$work/clean.out")" = "lint: parity checks clean" ] || { show clean; fail "want only the summary on stdout"; }
grep -q "1 translation unit(s) to lint" "$work/clean.err" || { show clean; fail "want one translation unit"; }
echo "ok: a change off the old finding's line is clean (exit 0)"

# A branch adding a finding; the base branch moves on meanwhile.
g checkout -q -- "$handler"
g checkout -q -b feature
plant "$handler" newFinding
new=$(grep -n newFinding "$tree/$handler" | cut -d: -f1)
g commit -qam "new finding"
g checkout -q main
echo '// moved on' >>"$tree/runtime/src/handlers/workspaces.cpp"
g commit -qam "base moves on"
g checkout -q feature
run text lint --diff main --sarif "$work/text.sarif"
[ $rc -eq 1 ] || { show text; fail "a new finding: exit $rc, want 1"; }
findings=$(grep -E ': (warning|error): .*\[parity-' "$work/text.out")
[ "$(grep -c . <<<"$findings")" -eq 1 ] || { show text; fail "want exactly one finding"; }
grep -q "^$tree/$handler:$new:[0-9]*: error: direct call of backend method 'stop'" <<<"$findings" ||
  { show text; fail "the finding is not the new call at line $new (the old one is at $old)"; }
grep -q "1 translation unit(s) to lint" "$work/text.err" || { show text; fail "the diff is not from the merge base"; }
echo "ok: only the new finding ($handler:$new) is reported (exit 1), diffed from the merge base"

run github lint --diff main --format github
[ $rc -eq 1 ] || { show github; fail "--format github: exit $rc, want 1"; }
[ "$(grep -c . "$work/github.out")" -eq 1 ] &&
  grep -q "^::error file=$handler,line=$new,col=[0-9]*,title=parity-direct-backend-call::direct call" "$work/github.out" ||
  { show github; fail "want one GitHub annotation at $handler:$new on stdout"; }
run sarif lint --diff main --format sarif
[ $rc -eq 1 ] || { show sarif; fail "--format sarif: exit $rc, want 1"; }
for out in "$work/sarif.out" "$work/text.sarif"; do
  /usr/bin/python3 - "$out" "$handler" "$new" <<'PY' || { show sarif; fail "$out does not hold just the new finding"; }
import json, sys
run = json.load(open(sys.argv[1]))["runs"][0]
got = [(r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uriBaseId"],
        r["locations"][0]["physicalLocation"]["region"]["startLine"]) for r in run["results"]]
assert got == [("parity-direct-backend-call", sys.argv[2], "%SRCROOT%", int(sys.argv[3]))], got
PY
done
echo "ok: --format github and --format sarif (and --sarif FILE) hold the new finding only"

# A header: linted through the translation units that include it, the finding shown once.
g checkout -q main
plant "$header" headerFinding
hline=$(grep -n headerFinding "$tree/$header" | cut -d: -f1)
run header lint --diff HEAD
[ $rc -eq 1 ] || { show header; fail "a finding in a changed header: exit $rc, want 1"; }
grep -q "2 translation unit(s) to lint" "$work/header.err" || { show header; fail "want the header's two includers"; }
[ "$(grep -c "^$tree/$header:$hline:[0-9]*: error: direct call" "$work/header.out")" -eq 1 ] ||
  { show header; fail "want the header's finding once"; }
echo "ok: a changed header lints its includers and reports its finding once"
g checkout -q -- "$header"

# Nothing to lint; a base git does not know.
echo "notes" >"$tree/runtime/NOTES.md" && g add runtime/NOTES.md
run none lint --diff HEAD
[ $rc -eq 0 ] && grep -q "0 translation unit(s) to lint" "$work/none.err" &&
  [ "$(cat "$work/none.out")" = "lint: parity checks clean" ] || { show none; fail "a change to no TU: exit $rc, want 0"; }
run badbase lint --diff no-such-ref
[ $rc -eq 2 ] || { show badbase; fail "an unknown base: exit $rc, want 2"; }
echo "ok: a change to no translation unit exits 0; an unknown base exits 2"
