#!/usr/bin/env bash
# Installs every Debian 12 package Tessel Studio needs to build, test and run its examples.
# Idempotent; works as root or through sudo.
#   packaging/install-deps.sh           build + test + studio dependencies
#   packaging/install-deps.sh --bench   also the speed peer of tests/bench/run_bench.sh (PyTorch from
#                                       Debian, with OpenBLAS so it does not use reference BLAS)
# Set TESSEL_DEPS=engine to install only the engine's (Qt-free) build dependencies.
set -euo pipefail
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

bench=0
for arg in "$@"; do
  case "$arg" in
    --bench) bench=1 ;;
    -h|--help) sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "install-deps: error: unknown argument '$arg' (try --help)" >&2; exit 2 ;;
  esac
done

engine_pkgs=(build-essential cmake pkg-config libeigen3-dev nlohmann-json3-dev zlib1g-dev
  libsqlite3-dev libstb-dev libtinyxml2-dev libprotobuf-dev protobuf-compiler libonnx-dev
  libhdf5-dev libzip-dev libnlopt-dev dataset-fashion-mnist)
ui_pkgs=(qt6-base-dev qt6-base-dev-tools libqt6sql6-sqlite qt6-svg-dev libqcustomplot-dev
  libgraphviz-dev libgl1-mesa-dev fonts-dejavu-core xvfb xauth)
test_pkgs=(python3-numpy python3-sklearn fortunes-min fortunes python3-onnx python3-protobuf python3-h5py desktop-file-utils appstream
  shared-mime-info dpkg-dev)
# The sanitizer and fuzz build of .ci/run and tests/fuzz/run_all.sh (clang's ASan, UBSan,
# libFuzzer and OpenMP runtime).
test_pkgs+=(clang libclang-rt-14-dev libomp-dev)
bench_pkgs=(python3-torch libopenblas0-pthread)

pkgs=("${engine_pkgs[@]}")
if [ "${TESSEL_DEPS:-all}" != "engine" ]; then pkgs+=("${ui_pkgs[@]}" "${test_pkgs[@]}"); fi
if [ "$bench" -eq 1 ]; then pkgs+=("${bench_pkgs[@]}"); fi

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
