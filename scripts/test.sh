#!/usr/bin/env bash
# The README's second command: builds everything (library, CLI, tests, benchmarks) in Release and
# runs the whole test suite through CTest. Extra arguments go to cmake's configure step, e.g.
#   scripts/test.sh -DGREEKBOOK_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug   (ASan + UBSan, in build-asan)
set -euo pipefail
cd "$(dirname "$0")/.."
dir=build
for a in "$@"; do [ "$a" = "-DGREEKBOOK_SANITIZE=ON" ] && dir=build-asan; done
cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Release "$@"
cmake --build "$dir" -j"$(nproc)"
ctest --test-dir "$dir" --output-on-failure -j"$(nproc)"
