#!/usr/bin/env bash
# Proves the layering check bites, through the command the build runs before compiling any
# layer (tools/check-layers with the manifest CMake wrote from the ws_layer DEPENDS): on a scratch
# copy of runtime/src it must pass as is, and fail (exit 1, naming file, line and layers) on a
# planted upward include, on a relative include and on a file outside every layer.
#   layers_bite.sh SOURCE_DIR BUILD_DIR
set -uo pipefail
src=$1 build=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
check() { out=$("$src/tools/check-layers" --manifest "$build/layers.txt" "$work/src" 2>&1); rc=$?; }
fresh() { rm -rf "$work/src" && cp -r "$src/runtime/src" "$work/src" || fail "cannot copy runtime/src"; }

fresh
check
[ $rc -eq 0 ] || { echo "$out"; fail "the tree as it is: exit $rc, want 0"; }
echo "ok: the tree as it is passes"

plant() {  # plant FILE LINE PATTERN WHAT
  fresh
  printf '%s\n' "$2" >>"$work/src/$1"
  check
  [ $rc -eq 1 ] || { echo "$out"; fail "$4: exit $rc, want 1"; }
  grep -qE -- "$3" <<<"$out" || { echo "$out"; fail "$4: the output does not match: $3"; }
  echo "ok: $4 fails the check"
}
line=$(($(wc -l <"$src/runtime/src/core/util.cpp") + 1))
plant core/util.cpp '#include "service/workspace_service.h"' \
  "core/util.cpp:$line: core includes \"service/workspace_service.h\", but core does not depend on service" \
  "an upward include (core -> service)"
plant service/lifecycle.cpp '#include "handlers/routes.h"' \
  'service/lifecycle.cpp:[0-9]+: service includes "handlers/routes.h", but service does not depend on handlers' \
  "an upward include (service -> handlers)"
plant sweeps/sweeper.cpp '#include "server/router.h"' \
  'sweeps/sweeper.cpp:[0-9]+: sweeps includes "server/router.h", but sweeps does not depend on server' \
  "a sideways include (sweeps -> server)"
plant handlers/routes.cpp '#include "../service/lifecycle.h"' \
  'handlers/routes.cpp:[0-9]+: include "../service/lifecycle.h" from the root of src/' \
  "a relative include"
fresh
echo '// stray' >"$work/src/stray.cpp"
check
[ $rc -eq 1 ] && grep -q "stray.cpp: not inside a layer folder" <<<"$out" || { echo "$out"; fail "a file outside the layers"; }
echo "ok: a file outside every layer fails the check"
