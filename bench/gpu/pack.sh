#!/bin/bash
# Packs what run_on_device.sh needs into DEST (default /work/main/.gpu22): tessel-gpu-bench and
# tst_engine_gpu from BUILD, the shared libraries they link that the CUDA image (Ubuntu 24.04)
# lacks: protobuf and gomp in lib/, Qt 6 Core/Test with ICU 72 and friends xz-packed in
# qtlibs.tar.xz (12 MB instead of 49), the PyTorch peer and the comparison script. ~24 MB.
set -e
BUILD=${1:-build}; DEST=${2:-/work/main/.gpu22}
src=$(cd "$(dirname "$0")/../.." && pwd)
rm -rf "$DEST"; mkdir -p "$DEST/lib"
cp "$BUILD/bench/tessel-gpu-bench" "$DEST/"
strip "$DEST/tessel-gpu-bench"
for l in $(ldd "$BUILD/bench/tessel-gpu-bench" | awk '/=> \//{print $3}'); do
  case $(basename "$l") in
    libc.so*|libm.so*|libstdc++*|libgcc_s*|ld-linux*|libpthread*|libdl*|librt*|libz.so*|libcublas*|libcudart*|libcudnn*) ;;
    *) cp -L "$l" "$DEST/lib/" ;;
  esac
done
cp "$BUILD/tests/tst_engine_gpu" "$DEST/" && strip "$DEST/tst_engine_gpu"
qt=$(mktemp -d)
for l in $(ldd "$BUILD/tests/tst_engine_gpu" | awk '/=> \//{print $3}'); do
  case $(basename "$l") in
    libQt6*|libicu*|libb2*|libdouble-conversion*|libglib-2.0*|libpcre2*|libzstd*) cp -L "$l" "$qt/" ;;
  esac
done
(cd "$qt" && tar cf - *.so* | xz -6 -T2 > "$DEST/qtlibs.tar.xz"); rm -rf "$qt"
cp "$src/bench/peer_torch_gpu.py" "$src/bench/gpu/compare.py" "$src/bench/gpu/run_on_device.sh" "$DEST/"
du -sh "$DEST"; ls "$DEST" "$DEST/lib"
