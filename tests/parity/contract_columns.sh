#!/usr/bin/env bash
# The contract suites' typed tests (from parity.h, the PARITY_BACKEND lines through the
# preprocessor) and their CTest tests (contract/CMakeLists.txt reads the same lines) name the
# same columns: a backend added to the features list runs everywhere.
#   contract_columns.sh CONTRACT_TESTS "COLUMN..."
set -euo pipefail
want=$(printf '%s\n' $2 | sort | tr '\n' ' ')
got=$("$1" --gtest_list_tests | sed -n 's|^Contract/\([A-Za-z0-9_]*\)\..*|\1|p' | sort -u | tr '\n' ' ')
echo "typed suite: $got"
echo "CTest tests: $want"
[ -n "$got" ] && [ "$got" = "$want" ] || { echo "FAIL: the columns differ"; exit 1; }
