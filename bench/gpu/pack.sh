#!/bin/bash
# Packs what run_on_device.sh needs into DEST (default /work/main/.gpu22): tessel-gpu-bench from
# BUILD, the non-system shared libraries it links that a CUDA image lacks (protobuf, sqlite,
# tinyxml2, gomp), the PyTorch peer and the comparison script.
set -e
BUILD=${1:-build}; DEST=${2:-/work/main/.gpu22}
src=$(cd "$(dirname "$0")/../.." && pwd)
rm -rf "$DEST"; mkdir -p "$DEST/lib"
cp "$BUILD/bench/tessel-gpu-bench" "$DEST/"
strip "$DEST/tessel-gpu-bench"
for l in $(ldd "$BUILD/bench/tessel-gpu-bench" | awk '/=> \//{print $3}'); do
  case $(basename "$l") in
    libc.so*|libm.so*|libstdc++*|libgcc_s*|ld-linux*|libpthread*|libdl*|librt*|libz.so*|libcublas*|libcudart*) ;;
    *) cp -L "$l" "$DEST/lib/" ;;
  esac
done
cp "$src/bench/peer_torch_gpu.py" "$src/bench/gpu/compare.py" "$src/bench/gpu/run_on_device.sh" "$DEST/"
du -sh "$DEST"; ls "$DEST" "$DEST/lib"
