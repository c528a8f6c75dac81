#!/usr/bin/env bash
# Proves the pre-commit hook can fail: in a scratch git repository holding a copy of the tree,
# with tools/hooks/pre-commit installed as the README says, `git commit` of a staged direct
# backend call is refused (and names the finding), also when the working tree no longer holds
# the violation; a clean staged change commits, also when the working tree holds one.
#   pre_commit_bites.sh SOURCE_DIR BUILD_DIR
set -uo pipefail
command -v git >/dev/null || { echo "SKIP: git is not installed (no commits to gate)"; exit 77; }
src=$1
export BUILD_DIR=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

repo="$work/repo"
mkdir -p "$repo"
(cd "$src" && cp -r --parents runtime parity tools .clang-tidy "$repo/") || fail "cannot copy the tree"
cd "$repo" || fail "no $repo"
git init -q . && git config user.name gate && git config user.email gate@localhost &&
  git config core.hooksPath .git/hooks && git add -A && git commit -q -m base || fail "cannot make the scratch repository"
ln -s ../../tools/hooks/pre-commit .git/hooks/pre-commit

handler=runtime/src/handlers/team.cpp
cp "$handler" "$work/clean.cpp"
cp "$handler" "$work/planted.cpp"
cat >>"$work/planted.cpp" <<'EOF'

#include "ws/provisioner.h"
namespace ws {
void preCommitPlanted(Provisioner& p, const std::string& id) { (void)p.stop(id); }
}  // namespace ws
EOF
line=$(grep -n 'preCommitPlanted' "$work/planted.cpp" | cut -d: -f1)
finding="$handler:$line:[0-9]*: error: direct call of backend method 'stop'.*parity-direct-backend-call"
commit() {  # commit MESSAGE: git commit's exit status in $rc, its output in $work/out
  git commit -q -m "$1" >"$work/out" 2>&1; rc=$?
}

# 1. A clean staged change commits.
printf '// a comment\n' >>"$handler" && git add "$handler"
commit "clean change"
[ $rc -eq 0 ] || { cat "$work/out"; fail "a clean staged change: commit exited $rc, want 0"; }
echo "ok: a clean staged change commits"
cp "$handler" "$work/clean.cpp"

# 2. A staged violation is refused, with the finding.
base=$(git rev-parse HEAD)
cp "$work/planted.cpp" "$handler" && git add "$handler"
commit "planted"
[ $rc -ne 0 ] || fail "a staged direct stop was committed"
grep -q "$finding" "$work/out" || { cat "$work/out"; fail "the refusal does not name the finding"; }
[ "$(git rev-parse HEAD)" = "$base" ] || fail "HEAD moved"
echo "ok: a staged direct stop is refused (exit $rc), naming $handler:$line"

# 3. The index is what is linted: cleaning only the working tree does not get it through.
cp "$work/clean.cpp" "$handler"
commit "planted, cleaned in the working tree only"
[ $rc -ne 0 ] || fail "a staged violation was committed because the working tree was clean"
grep -q "$finding" "$work/out" || { cat "$work/out"; fail "the refusal does not name the staged finding"; }
echo "ok: a staged violation is refused even when the working tree is clean (exit $rc)"

# 4. ... and a violation left unstaged does not block a clean commit.
git add "$handler"
printf '// another comment\n' >>"$handler" && git add "$handler"
cp "$work/planted.cpp" "$handler"
commit "clean, with an unstaged violation"
[ $rc -eq 0 ] || { cat "$work/out"; fail "a clean staged change with an unstaged violation: commit exited $rc, want 0"; }
echo "ok: an unstaged violation does not block a clean commit"
