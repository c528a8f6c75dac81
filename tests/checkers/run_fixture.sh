#!/usr/bin/env bash
# End-to-end fixture test: stock clang-tidy-19 loads the plugin and its diagnostics must match
# the fixture's CHECK-MESSAGES lines exactly (no other warning or error allowed).
#   run_fixture.sh CLANG_TIDY FILECHECK PLUGIN FIXTURE
set -euo pipefail
tidy=$1 filecheck=$2 plugin=$3 fixture=$4
"$tidy" --load="$plugin" --quiet --config-file="$(dirname "$0")/fixtures/tidy-config.yaml" "$fixture" -- -std=c++20 2>/dev/null |
  "$filecheck" "$fixture" --check-prefix=CHECK-MESSAGES --implicit-check-not='{{warning|error}}:'
