# The sanitizer build: build-fuzz/, compiled by clang-19 with ASan+UBSan (errors abort) and
# libFuzzer coverage for every target, without the clang-tidy checks. tools/fuzz runs its fuzz
# targets; tools/test runs its unit, integration and reliability suites and a short smoke of each fuzz target.
# Sourced after common.sh, not executed.

FUZZ_BUILD_DIR="${FUZZ_BUILD_DIR:-$ROOT/build-fuzz}"
# What the sanitizer pass builds: the suites, the binaries they start, the fuzz targets.
SANITIZE_TARGETS=(runtime_unit_tests store_tests integration_tests reliability_tests workspace-server workspace-agent cp-emulator parity fuzz-all)

fuzz_targets() {
  local f
  for f in "$ROOT"/fuzz/*_fuzz.cpp; do basename "$f" _fuzz.cpp; done
}

configure_fuzz_build() {
  [ -f "$FUZZ_BUILD_DIR/build.ninja" ] && return 0
  local launcher=()
  command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  log "configuring the sanitizer build (clang-19, ASan+UBSan, libFuzzer) in $FUZZ_BUILD_DIR"
  # -O1 with assertions (no NDEBUG): fast enough to fuzz, and library asserts still fire.
  CC=clang-19 CXX=clang++-19 cmake -S "$ROOT" -B "$FUZZ_BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g" -DWS_SANITIZE=address,undefined -DWS_FUZZ=ON \
    -DWS_BUILD_CHECKERS=OFF "${launcher[@]}"
}

# build_fuzz <target>...: configures when needed, then builds the given targets.
build_fuzz() {
  configure_fuzz_build
  local targets=()
  for t in "$@"; do targets+=(--target "$t"); done
  log "building in $FUZZ_BUILD_DIR: $*"
  cmake --build "$FUZZ_BUILD_DIR" -j "$(nproc)" "${targets[@]}"
}

# The unit, integration and reliability suites under the sanitizers, and each fuzz target for a short run
# over its seed corpus (fuzz.* tests, WS_FUZZ_SMOKE_SECONDS each). Non-zero on any failure.
sanitizer_pass() {
  build_fuzz "${SANITIZE_TARGETS[@]}"
  log "sanitizer pass: unit, integration and reliability suites under ASan+UBSan, fuzz smoke runs"
  # Reports go to files, so that one from a process a test starts (the server, at its exit
  # too: leaks) fails the pass even when the test itself passed. The fuzz runs report on stderr.
  local reports="$FUZZ_BUILD_DIR/sanitizer-reports"
  rm -rf "$reports"
  mkdir -p "$reports"
  local rc=0
  ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}log_path=$reports/asan" \
  UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}print_stacktrace=1:log_path=$reports/ubsan" \
    ctest --test-dir "$FUZZ_BUILD_DIR" --output-on-failure -j "$(nproc)" -L 'unit|integration|reliability|fuzz' -LE backends \
      --timeout 600 || rc=$?
  if compgen -G "$reports/*" >/dev/null; then
    log "sanitizer reports:"
    for f in "$reports"/*; do echo "--- $f"; head -60 "$f"; done
    return 1
  fi
  return $rc
}
