#!/usr/bin/env bash
# tools/check-template-parity, run as developers run it (install.sh start.sh), on the real
# default template (must pass, exit 0) and on drifted copies (must fail, exit 1, naming the
# drift); usage errors exit 2.
set -euo pipefail
src=$1
tool="$src/tools/check-template-parity"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
expect() {  # expect EXIT PATTERN DESCRIPTION COMMAND...: the exit status, and output matching PATTERN
  local want=$1 pattern=$2 what=$3; shift 3
  set +e; "$@" >"$work/out" 2>&1; local got=$?; set -e
  if [ "$got" -ne "$want" ]; then echo "FAIL: $what: exit $got, want $want"; cat "$work/out"; exit 1; fi
  if ! grep -qE -- "$pattern" "$work/out"; then echo "FAIL: $what: the output does not match: $pattern"; cat "$work/out"; exit 1; fi
  echo "ok: $what (exit $got)"
}
install="$src/templates/default/install.sh" start="$src/templates/default/start.sh"
expect 0 "^template-parity: ok \([1-9][0-9]* provider forwarders in both files\)$" \
  "the default template is in parity" "$tool" "$install" "$start"

# A forwarder missing from one script.
grep -v OPENAI_API_KEY "$start" > "$work/start-missing.sh"
expect 1 "DRIFT detected between" "a dropped key is drift" "$tool" "$install" "$work/start-missing.sh"
grep -qE '^ +\$\{OPENAI_API_KEY:\+OPENAI_API_KEY=\$\{OPENAI_API_KEY\}\}$' "$work/out" ||
  { echo "FAIL: the drift report does not name the dropped key"; cat "$work/out"; exit 1; }

# Names with digits are seen (a [A-Z_]+ pattern would miss S3_ACCESS_KEY_ID).
grep -v S3_ACCESS_KEY_ID "$install" > "$work/install-nos3.sh"
expect 1 "S3_ACCESS_KEY_ID" "a key with digits is compared" "$tool" "$work/install-nos3.sh" "$start"

# The three names of one forwarder must agree.
sed 's/${GEMINI_API_KEY:+GEMINI_API_KEY=${GEMINI_API_KEY}}/${GEMINI_API_KEY:+GEMINI_API_KEY=${GOOGLE_API_KEY}}/' "$install" > "$work/install-bad.sh"
sed 's/${GEMINI_API_KEY:+GEMINI_API_KEY=${GEMINI_API_KEY}}/${GEMINI_API_KEY:+GEMINI_API_KEY=${GOOGLE_API_KEY}}/' "$start" > "$work/start-bad.sh"
expect 1 "inconsistent forwarder in .*install-bad.sh: \\$\{GEMINI_API_KEY:\+GEMINI_API_KEY=\\$\{GOOGLE_API_KEY\}\}" \
  "an inconsistent forwarder is an error" "$tool" "$work/install-bad.sh" "$work/start-bad.sh"

# Usage errors.
expect 2 "^usage:" "one argument" "$tool" "$install"
expect 2 "cannot read .*nope.sh" "a missing file" "$tool" "$install" "$work/nope.sh"
# Two files without forwarders agree.
printf '#!/bin/sh\n' > "$work/a.sh"; printf '#!/bin/sh\n' > "$work/b.sh"
expect 0 "template-parity: ok \(0 provider forwarders" "no forwarders in either" "$tool" "$work/a.sh" "$work/b.sh"
