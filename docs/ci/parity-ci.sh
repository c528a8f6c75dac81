#!/usr/bin/env bash
# The parity gates for a CMake project that uses the installed parity toolchain, for any CI
# system (docs/ci/README.md; the GitHub Actions form is parity.yml). Run from the project root:
#
#   parity-ci.sh [--base REF]
#
# 1. configure and build (compile_commands.json for the lint);
# 2. `parity check`: annotations valid, the rendered matrix current;
# 3. `parity-lint`: the parity-* checks; with --base REF (a pull request's target, e.g.
#    origin/main) only the translation units the change touches and the findings on changed
#    lines; SARIF to REPORT_DIR/lint.sarif for a code-scanning upload, text to the log;
# 4. the contract suites (CONTRACT_CMD), which write results to RESULTS_DIR;
# 5. `parity verify`: the results against the annotations; parity.json and parity.html to
#    REPORT_DIR, the report to publish.
# Every gate runs even when an earlier one failed; the exit status is non-zero when any did.
#
# Settings (environment): BUILD_DIR (build), CMAKE_ARGS (extra configure arguments, split on
# spaces), LINT_UNDER (src: the directory whose translation units a full lint covers),
# RESULTS_DIR ($BUILD_DIR/contract-results), REPORT_DIR (parity-report), CONTRACT_CMD (ctest
# --test-dir $BUILD_DIR --output-on-failure), PARITY_BASE (the same as --base).
set -uo pipefail
base=${PARITY_BASE:-}
while [ $# -gt 0 ]; do
  case "$1" in
    --base) [ $# -ge 2 ] || { echo "parity-ci: --base needs a git ref" >&2; exit 2; }; base=$2; shift 2 ;;
    -h|--help) sed -n '2,/^set -uo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "parity-ci: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
build=${BUILD_DIR:-build}
under=${LINT_UNDER:-src}
results=${RESULTS_DIR:-$build/contract-results}
report=${REPORT_DIR:-parity-report}
contract=${CONTRACT_CMD:-ctest --test-dir $build --output-on-failure}
failed=()
step() { printf '\n==> %s\n' "$*" >&2; }
gate() {  # gate NAME COMMAND...: runs it, records a failure
  step "$1"
  local name=$1
  shift
  "$@" || failed+=("$name (exit $?)")
}

for tool in parity parity-lint cmake; do
  command -v "$tool" >/dev/null || { echo "parity-ci: $tool is not on PATH (install the parity-toolchain package)" >&2; exit 2; }
done
mkdir -p "$report"

step "configure and build"
# shellcheck disable=SC2086  # CMAKE_ARGS is a list
cmake -S . -B "$build" -DCMAKE_EXPORT_COMPILE_COMMANDS=ON ${CMAKE_ARGS:-} && cmake --build "$build" ||
  { echo "parity-ci: the build failed" >&2; exit 1; }

gate "parity check" parity check

lint=(parity-lint --root . --build "$build" --under "$under" --sarif "$report/lint.sarif")
[ -n "$base" ] && lint+=(--diff "$base")
gate "parity-lint${base:+ --diff $base}" "${lint[@]}"

rm -rf "$results"
# shellcheck disable=SC2086  # CONTRACT_CMD is a command line
gate "contract suites" $contract

gate "parity verify" parity verify --results "$results" --out "$report"

step "report: $report/ (parity.html, parity.json, lint.sarif)"
if [ ${#failed[@]} -gt 0 ]; then
  printf 'parity-ci: failed: %s\n' "${failed[@]}" >&2
  exit 1
fi
echo "parity-ci: every gate passed" >&2
