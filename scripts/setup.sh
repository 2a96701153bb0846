#!/usr/bin/env bash
# Installs every Debian 12 package greekbook needs (idempotent). Run as root or with sudo.
set -euo pipefail
PKGS=(build-essential cmake g++ pkg-config python3
      libcli11-dev libfmt-dev libexpected-dev libhwy-dev
      nlohmann-json3-dev libfast-float-dev libboost-dev libtbb-dev
      libgtest-dev libgmock-dev libbenchmark-dev libquantlib0-dev)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#PKGS[@]} packages present"
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "setup: installing ${missing[*]}"
# Refresh the package lists once when they are missing or older than a day.
if [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' -mtime -1 2>/dev/null | head -1)" ]; then
  $SUDO apt-get update -qq
fi
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
