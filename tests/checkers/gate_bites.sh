#!/usr/bin/env bash
# Proves the lint gate can fail: a copy of a real handler with one direct backend stop call,
# linted with the real handler's compile flags and the project's .clang-tidy, must produce
# exactly one finding, parity-direct-backend-call, on the injected line.
#   gate_bites.sh SOURCE_DIR BUILD_DIR
set -euo pipefail
src=$1 build=$2
work="$build/gate-bites"
mkdir -p "$work"
original="$src/runtime/src/handlers/workspaces.cpp"
drift="$work/workspaces_drift.cpp"
needle='auto stopped = app.workspaces.stopWorkspaceAuto(wid);'
grep -qF "$needle" "$original" || { echo "gate_bites: the handler no longer contains: $needle" >&2; exit 1; }
sed "s|$needle|ProvisionerPtr backend; auto stopped = backend->stop(wid);|" "$original" \
  | sed "s|#include \"|#include \"$src/runtime/src/handlers/|" > "$drift"
line=$(grep -n 'backend->stop(wid)' "$drift" | cut -d: -f1)
# The real handler's flags, minus output and source.
mapfile -t flags < <(/usr/bin/python3 - "$build/compile_commands.json" "$original" <<'PY'
import json, shlex, sys
for entry in json.load(open(sys.argv[1])):
    if entry["file"] == sys.argv[2]:
        args = entry.get("arguments") or shlex.split(entry["command"])
        out, skip = [], False
        for a in args[1:]:
            if skip: skip = False; continue
            if a in ("-o", "-c"): skip = a == "-o"; continue
            if a == sys.argv[2]: continue
            out.append(a)
        print("\n".join(out))
PY
)
output=$(cd "$src" && /usr/lib/llvm-19/bin/clang-tidy --load="$build/lib/libparity-checks.so" --quiet "$drift" -- "${flags[@]}" 2>&1 || true)
findings=$(grep -E ': (warning|error): .*\[parity-' <<<"$output" || true)
count=$(grep -c . <<<"$findings" || true)
if [ "$count" -ne 1 ] || ! grep -q "workspaces_drift.cpp:$line:.*parity-direct-backend-call" <<<"$findings"; then
  echo "gate_bites: expected exactly one parity-direct-backend-call at line $line, got:" >&2
  echo "$output" >&2
  exit 1
fi
echo "gate_bites: the gate caught the direct stop at workspaces_drift.cpp:$line"
