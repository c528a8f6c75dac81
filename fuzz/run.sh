#!/usr/bin/env bash
# Runs one libFuzzer target for a while over its checked-in seed corpus and reports.
#   fuzz/run.sh [--fresh] <binary> <seconds> <seed corpus dir> <work dir> [libFuzzer flags...]
# New inputs go to <work dir>/corpus (emptied first with --fresh; the seeds stay untouched),
# crashing inputs to <work dir>/artifacts/. Exit status: 0 without a crash, 1 with one.
set -uo pipefail
fresh=0
if [ "${1:-}" = "--fresh" ]; then fresh=1; shift; fi
if [ $# -lt 4 ]; then
  echo "usage: $0 [--fresh] <binary> <seconds> <seed corpus dir> <work dir> [libFuzzer flags...]" >&2
  exit 2
fi
bin=$1 secs=$2 seeds=$3 work=$4
shift 4
name=$(basename "$bin")
[ $fresh -eq 1 ] && rm -rf "$work/corpus"
rm -rf "$work/tmp"
mkdir -p "$work/corpus" "$work/artifacts" "$work/tmp"
log="$work/fuzz.log"
# TMPDIR: the fixtures' temporary databases, removed with the directory even after a crash.
# Sanitizer reports go to the log, whatever log_path the caller set.
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}log_path=stderr" UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}log_path=stderr" \
TMPDIR="$work/tmp" "$bin" -max_total_time="$secs" -timeout=25 -rss_limit_mb=4096 -print_final_stats=1 \
  -artifact_prefix="$work/artifacts/" "$@" "$work/corpus" "$seeds" >"$log" 2>&1
rc=$?
rm -rf "$work/tmp"
execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
elapsed=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -1)
execs=${execs:-0}
[ -n "$elapsed" ] && [ "$elapsed" -gt 0 ] || elapsed=$secs
if [ $rc -ne 0 ]; then
  grep -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error|    #[0-9]+ )' "$log" | head -40 >&2
  artifact=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -1)
  echo "$name: CRASH after $execs executions (exit $rc); input: ${artifact:-none}; log: $log" >&2
  echo "  reproduce: $bin ${artifact:-<input>}" >&2
  exit 1
fi
echo "$name: $execs executions in ${elapsed} s ($((execs / elapsed))/s), corpus $(ls "$work/corpus" | wc -l) new + $(ls "$seeds" | wc -l) seeds, no crash"
