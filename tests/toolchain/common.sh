# Shared by the toolchain tests: the shell helpers of tests/support/expect.sh, and the
# toolchain installed from the build into a private prefix. Sourced.
#   SRC (the source tree) and BUILD (its build directory) must be set.
source "$(dirname "${BASH_SOURCE[0]}")/../support/expect.sh"

# The toolchain exactly as `cmake --install` lays it out, component toolchain only.
install_toolchain() {
  prefix="$work/prefix"
  run cmake --install "$BUILD" --prefix "$prefix" --component toolchain
  expect 0 "Installing: $prefix/bin/parity" "cmake --install --component toolchain"
  [ ! -e "$prefix/bin/workspace-server" ] || fail "the server was installed with the toolchain"
}

# A copy of docs/examples/jobrunner configured and built against the installed prefix only.
build_example() {
  ex="$work/jobrunner"
  rm -rf "$ex" && cp -r "$SRC/docs/examples/jobrunner" "$ex" || fail "cannot copy the example"
  run cmake -S "$ex" -B "$ex/build" -G Ninja -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_CXX_FLAGS="-Wall -Wextra -Werror"
  expect 0 "Build files have been written" "the example configures with find_package(ParityToolchain)"
  grep -qx "ParityToolchain_DIR:PATH=$prefix/lib/cmake/ParityToolchain" "$ex/build/CMakeCache.txt" ||
    fail "find_package did not use the installed package: $(grep ParityToolchain_DIR "$ex/build/CMakeCache.txt")"
  grep -q "$SRC/parity/include" "$ex/build/compile_commands.json" && fail "the example compiles against the source tree"
  grep -q -- "-isystem $prefix/include" "$ex/build/compile_commands.json" || fail "the example misses the installed headers"
  run cmake --build "$ex/build" -j 2
  expect 0 "Linking CXX executable contract_tests" "the example builds (-Werror) against the installed tree"
}
