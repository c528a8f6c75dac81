#!/usr/bin/env bash
# The toolchain as another project uses it: installed to a private prefix (component
# toolchain), docs/examples/jobrunner configured with find_package(ParityToolchain) and built
# against that prefix alone, then
#  - the installed checks (clang-tidy-19 --load the installed plugin, and parity-tidy) pass the
#    example clean and report a planted direct backend call;
#  - the installed `parity` finds the committed PARITY.md current and renders the same, from the
#    example's parity.toml; its contract suite writes results (parity/results.h) that `parity
#    verify` accepts; a deleted annotation fails check (exit 2), so do a dispatcher without its
#    PARITY_DISPATCHER and an annotation in a guarded directory, and a result that contradicts an
#    annotation fails verify (exit 3);
#  - `cpack -G DEB` packages the toolchain: dpkg-deb lists the plugin, the tools, the headers and
#    the package config, and the control file depends on clang-tidy-19 and libclang-cpp19.
#   install_test.sh SOURCE_DIR BUILD_DIR
set -uo pipefail
SRC=$1 BUILD=$2
source "$(dirname "$0")/common.sh"
tidy=/usr/lib/llvm-19/bin/clang-tidy

install_toolchain
for f in bin/parity bin/parity-tidy bin/parity-lint bin/parity-tidy-to-sarif lib/libparity-checks.so \
  include/parity/parity.h include/parity/results.h libexec/parity-toolchain/clang-compdb \
  libexec/parity-toolchain/diff-select \
  lib/cmake/ParityToolchain/ParityToolchainConfig.cmake lib/cmake/ParityToolchain/ParityToolchainConfigVersion.cmake \
  share/doc/parity-toolchain/toolchain.md share/doc/parity-toolchain/checks/parity-direct-backend-call.md; do
  [ -e "$prefix/$f" ] || fail "cmake --install did not put $f in place"
done
echo "ok: the plugin, the tools, the headers, the helpers, the docs and the package config are installed"

build_example
cd "$ex" || fail "no example"

# ---- the checks, installed ----------------------------------------------------------------
clean() {  # clean WHAT: the last run exited 0 without a finding
  [ "$rc" -eq 0 ] && ! grep -qE "(warning|error):" <<<"$out" || { echo "$out"; fail "$1"; }
  echo "ok: $1"
}
run "$tidy" --load="$prefix/lib/libparity-checks.so" --list-checks
expect 0 "parity-bespoke-dispatch" "clang-tidy-19 loads the installed plugin with the example's .clang-tidy"
run "$tidy" --load="$prefix/lib/libparity-checks.so" -p build --quiet src/service.cpp src/cli.cpp src/local_runner.cpp
clean "the installed plugin passes the example clean"
run "$prefix/bin/parity-tidy" -p build --quiet src/service.cpp src/batch_runner.cpp
clean "the installed parity-tidy passes the example clean"
printf '\nnamespace jobs {\nStatus planted(Runner& r) { return r.cancel("planted"); }\n}\n' >>src/cli.cpp
run "$prefix/bin/parity-tidy" -p build --quiet src/cli.cpp
expect 1 "cli.cpp:25:38: error: direct call of backend method 'cancel' outside a dispatcher; call JobService::cancelAuto instead \[parity-direct-backend-call" \
  "a planted direct call fails the installed parity-tidy, named by the example's .clang-tidy"
cp "$SRC/docs/examples/jobrunner/src/cli.cpp" src/cli.cpp

# ---- parity check / verify ----------------------------------------------------------------
run ./build/contract_tests build/contract-results
expect 0 "batch job_logs/LogsShowTheCommand: unsupported" "the example's contract suite runs on both backends"
[ -f build/contract-results/local.json ] && [ -f build/contract-results/batch.json ] || fail "no results written"
run "$prefix/bin/parity" check
expect 0 "4 features annotated, PARITY.md is current" \
  "the installed parity checks the example's committed PARITY.md (root: its parity.toml)"
run "$prefix/bin/parity" render -o "$work/PARITY.md"
expect 0 "wrote $work/PARITY.md \(4 features\)" "the installed parity renders the example's matrix"
cmp -s "$work/PARITY.md" PARITY.md || fail "the installed parity renders another PARITY.md than the one committed"
run "$prefix/bin/parity" verify --results build/contract-results
expect 0 "0 contradiction" "parity verify accepts the example's results"
python3 - build/contract-results/parity.json <<'PY' || fail "parity.json does not carry the example's backends"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["backends"] == ["local", "batch"], r["backends"]
rows = {f["id"]: f for f in r["features"]}
assert rows["job_logs"]["verdict"] == "local-only", rows["job_logs"]["verdict"]
assert rows["job_priority"]["verdict"] == "not built"
PY
echo "ok: parity.json has the example's columns and verdicts"

sed -i 's/"observed": "unsupported"/"observed": "pass"/' build/contract-results/batch.json
run "$prefix/bin/parity" verify --results build/contract-results
expect 3 "job_logs/LogsShowTheCommand on batch: passes, but the annotation says unsupported" \
  "a result that contradicts an annotation fails verify"
sed -i '/PARITY_IMPL(job_cancel, batch/d' src/batch_runner.cpp
run "$prefix/bin/parity" check
expect 2 "parity/features.def:[0-9]+: error: missing PARITY_IMPL or PARITY_UNSUPPORTED for 'job_cancel' on batch" \
  "a deleted annotation fails check"
cp "$SRC/docs/examples/jobrunner/src/batch_runner.cpp" src/batch_runner.cpp
sed -i '/PARITY_DISPATCHER(cancelAuto,/d' src/service.cpp
run "$prefix/bin/parity" check
expect 2 "src/service.cpp:[0-9]+: error: dispatcher 'JobService::cancelAuto' has no PARITY_DISPATCHER" \
  "a dispatcher without its annotation fails check (the suffix from the example's .clang-tidy)"
cp "$SRC/docs/examples/jobrunner/src/service.cpp" src/service.cpp
echo 'inline void f() { PARITY_IMPL(job_launch, local, "in a header"); }' >>include/jobs/runner.h
run "$prefix/bin/parity" check
expect 2 "include/jobs/runner.h:[0-9]+: error: PARITY_IMPL outside src" "an annotation in a guarded directory fails check"
cd "$work" || exit 1

# ---- cpack -G DEB ---------------------------------------------------------------------------
run cpack -G DEB --config "$BUILD/CPackConfig.cmake" -B "$work/pkg"
expect 0 "package: .*parity-toolchain_[0-9.]+_[a-z0-9]+\.deb generated" "cpack -G DEB packages the toolchain"
deb=$(ls "$work"/pkg/parity-toolchain_*.deb)
run dpkg-deb -c "$deb"
for f in ./usr/lib/libparity-checks.so ./usr/lib/cmake/ParityToolchain/ParityToolchainConfig.cmake ./usr/bin/parity \
  ./usr/bin/parity-tidy ./usr/bin/parity-lint ./usr/bin/parity-tidy-to-sarif ./usr/include/parity/parity.h; do
  grep -qE " $f\$" <<<"$out" || { echo "$out"; fail "the package does not hold $f"; }
done
grep -q "workspace-server" <<<"$out" && fail "the package holds the server"
echo "ok: dpkg-deb -c lists the plugin, the package config, the tools and the headers"
run dpkg-deb -f "$deb" Package Depends
expect 0 "Package: parity-toolchain" "the package is parity-toolchain"
grep -q "clang-tidy-19" <<<"$out" && grep -q "libclang-cpp19" <<<"$out" || { echo "$out"; fail "the package's Depends"; }
echo "ok: it depends on clang-tidy-19 and libclang-cpp19"
