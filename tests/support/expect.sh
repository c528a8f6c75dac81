# Shell test helpers, sourced: a scratch directory ($work, removed at exit), `fail`, and `run` /
# `expect` to check a command's exit status and output.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
run() {  # run COMMAND...: exit status in $rc, output (stdout and stderr) in $out
  out=$("$@" 2>&1); rc=$?
}
expect() {  # expect RC PATTERN WHAT: the last run exited RC and its output matches PATTERN
  [ "$rc" -eq "$1" ] || { echo "$out"; fail "$3: exit $rc, want $1"; }
  grep -qE -- "$2" <<<"$out" || { echo "$out"; fail "$3: the output does not match: $2"; }
  echo "ok: $3 (exit $rc)"
}
