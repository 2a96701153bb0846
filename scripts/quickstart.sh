#!/usr/bin/env bash
# The README's first command: installs what is missing (Debian 12), builds Release, and runs the
# main job on the bundled example data.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release
cmake --build build -j"$(nproc)" --target greekbook
echo
echo "== greekbook price examples/options.csv"
./build/apps/greekbook/greekbook price examples/options.csv
echo
echo "== greekbook iv examples/option_prices.csv"
./build/apps/greekbook/greekbook iv examples/option_prices.csv
