#!/usr/bin/env bash
# tools/check-template-parity on the real default template and on drifted copies.
set -euo pipefail
src=$1
tool="$src/tools/check-template-parity"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
expect() {  # expected-exit description command...
  local want=$1 what=$2; shift 2
  set +e; "$@" >"$work/out" 2>&1; local got=$?; set -e
  if [ "$got" -ne "$want" ]; then echo "FAIL: $what: exit $got, want $want"; cat "$work/out"; exit 1; fi
  echo "ok: $what"
}
install="$src/templates/default/install.sh" start="$src/templates/default/start.sh"
expect 0 "the default template is in parity" "$tool" "$install" "$start"
grep -q 'S3_ACCESS_KEY_ID' "$work/out" || true

# A forwarder missing from one script.
grep -v OPENAI_API_KEY "$start" > "$work/start-missing.sh"
expect 1 "a dropped key is drift" "$tool" "$install" "$work/start-missing.sh"
grep -q 'OPENAI_API_KEY' "$work/out" || { echo "FAIL: the drift report does not name the key"; exit 1; }

# Names with digits are seen (a [A-Z_]+ pattern would miss S3_ACCESS_KEY_ID).
grep -v S3_ACCESS_KEY_ID "$install" > "$work/install-nos3.sh"
expect 1 "a key with digits is compared" "$tool" "$work/install-nos3.sh" "$start"

# The three names of one forwarder must agree.
sed 's/${GEMINI_API_KEY:+GEMINI_API_KEY=${GEMINI_API_KEY}}/${GEMINI_API_KEY:+GEMINI_API_KEY=${GOOGLE_API_KEY}}/' "$install" > "$work/install-bad.sh"
sed 's/${GEMINI_API_KEY:+GEMINI_API_KEY=${GEMINI_API_KEY}}/${GEMINI_API_KEY:+GEMINI_API_KEY=${GOOGLE_API_KEY}}/' "$start" > "$work/start-bad.sh"
expect 1 "an inconsistent forwarder is an error" "$tool" "$work/install-bad.sh" "$work/start-bad.sh"

# Usage errors.
expect 2 "one argument" "$tool" "$install"
expect 2 "a missing file" "$tool" "$install" "$work/nope.sh"
# Two files without forwarders agree.
printf '#!/bin/sh\n' > "$work/a.sh"; printf '#!/bin/sh\n' > "$work/b.sh"
expect 0 "no forwarders in either" "$tool" "$work/a.sh" "$work/b.sh"
