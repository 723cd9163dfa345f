#!/bin/bash
# Packs what run_on_device.sh needs into DEST (default /work/main/.gpu22): tessel-gpu-bench and
# tst_engine_gpu from BUILD (and tessel-conv-bench when it was built), the shared libraries they
# link that the CUDA image (Ubuntu 24.04) lacks: protobuf and gomp in lib/, Qt 6 Core/Test with
# ICU 72 and friends xz-packed in qtlibs.tar.xz (12 MB instead of 49), the PyTorch peer and the
# comparison script. ~24 MB.
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
# tessel-conv-bench (`run_on_device.sh convbench`), optional: CUDA runtime (static) and cuDNN only.
if [ -f "$BUILD/bench/tessel-conv-bench" ]; then
  cp "$BUILD/bench/tessel-conv-bench" "$DEST/" && strip "$DEST/tessel-conv-bench"
fi
qt=$(mktemp -d)
for l in $(ldd "$BUILD/tests/tst_engine_gpu" | awk '/=> \//{print $3}'); do
  case $(basename "$l") in
    libQt6*|libicu*|libb2*|libdouble-conversion*|libglib-2.0*|libpcre2*|libzstd*) cp -L "$l" "$qt/" ;;
  esac
done
(cd "$qt" && tar cf - *.so* | xz -6 -T2 > "$DEST/qtlibs.tar.xz"); rm -rf "$qt"
# STUDIO=1: also tessel-bench (the studio's overhead on the GPU: `run_on_device.sh studio`) with
# every library it links that is not the C runtime or CUDA, and Qt's offscreen platform plugin,
# xz-packed in studio.tar.xz (~25 MB).
if [ "${STUDIO:-0}" = 1 ]; then
  st=$(mktemp -d); mkdir -p "$st/lib/platforms"
  cp "$BUILD/bench/tessel-bench" "$st/" && strip "$st/tessel-bench"
  plugin=$(dirname "$(ldd "$BUILD/bench/tessel-bench" | awk '/libQt6Core/{print $3}')")/qt6/plugins/platforms/libqoffscreen.so
  cp "$plugin" "$st/lib/platforms/"
  for l in $(ldd "$BUILD/bench/tessel-bench" "$plugin" | awk '/=> \//{print $3}' | sort -u); do
    case $(basename "$l") in
      libc.so*|libm.so*|libstdc++*|libgcc_s*|ld-linux*|libpthread*|libdl*|librt*|libcublas*|libcudart*|libcudnn*|libresolv*) ;;
      *) cp -L "$l" "$st/lib/" ;;
    esac
  done
  (cd "$st" && tar cf - . | xz -6 -T2 > "$DEST/studio.tar.xz"); rm -rf "$st"
fi
cp "$src/bench/peer_torch_gpu.py" "$src/bench/gpu/compare.py" "$src/bench/gpu/run_on_device.sh" "$DEST/"
du -sh "$DEST"; ls "$DEST" "$DEST/lib"
