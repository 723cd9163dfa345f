#!/usr/bin/env bash
# Installs every Debian 12 package Tessel Studio needs to build, test and run its examples.
# Idempotent; works as root or through sudo. Set TESSEL_DEPS=engine to install only the engine's
# (Qt-free) build dependencies.
set -euo pipefail
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

engine_pkgs=(build-essential cmake pkg-config libeigen3-dev nlohmann-json3-dev zlib1g-dev
  libsqlite3-dev dataset-fashion-mnist)
ui_pkgs=(qt6-base-dev qt6-base-dev-tools libqt6sql6-sqlite libqt6svg6-dev libqcustomplot-dev
  libgl1-mesa-dev xvfb xauth)
test_pkgs=(python3-numpy python3-sklearn)

pkgs=("${engine_pkgs[@]}")
if [ "${TESSEL_DEPS:-all}" != "engine" ]; then pkgs+=("${ui_pkgs[@]}" "${test_pkgs[@]}"); fi

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#pkgs[@]} packages present"
  exit 0
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
