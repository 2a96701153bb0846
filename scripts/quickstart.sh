#!/usr/bin/env bash
# The README's first command: installs what is missing (Debian 12), builds Release, and runs the
# main job on the bundled example data (ends with the risk report of the example book).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release
cmake --build build -j"$(nproc)" --target greekbook
echo
echo "== greekbook price examples/options.csv"
./build/apps/greekbook/greekbook price examples/options.csv
echo
echo "== greekbook risk --book examples/book.json --market examples/market.json"
./build/apps/greekbook/greekbook risk --book examples/book.json --market examples/market.json
