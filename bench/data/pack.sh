#!/usr/bin/env bash
# Packs the data-pipeline benchmark (`tessel-bench tfrecord --compare`: IDX in memory vs TFRecord
# shards vs image folder, prefetch 0 / P, the cache step on / off) to run on another x86-64 Linux
# machine without compiler, Qt or protobuf (the device image: Ubuntu 24.04, glibc 2.39, CUDA 13):
#   bench/data/pack.sh OUTDIR [BUILD]        (BUILD: the build folder, default build)
# then, on that machine:
#   cd OUTDIR && bash run.sh                 (SAMPLES, EPOCHS, REPEAT, THREADS, PREFETCH: below)
# OUTDIR holds
#   bin/tessel-bench.xz   build/bench/tessel-bench, stripped, xz-packed
#   libs.tar.xz           every shared library `ldd` lists for it except glibc's, libstdc++ and
#                         libgcc (a library of another glibc would not load beside the target's;
#                         the target's C++ runtime is newer) and CUDA's cuBLAS / cuDNN (600 MB;
#                         the tessel binaries link them: run.sh takes the machine's, as
#                         bench/gpu/run_on_device.sh does): Qt 6, ICU, protobuf, HDF5, ... of this
#                         Debian 12, xz-packed (28 MB)
#   fashion-mnist/*.xz    a Fashion-MNIST subset, raw IDX xz-packed (7.5 MB; run.sh gzips it back
#                         under Debian's names): the first SAMPLES training images and labels
#                         (the bench's samples: IDX, shards and PNG folder are all made from them)
#                         and 100 test images (read by the folder writer, not used)
#   run.sh                unpacks into a temporary folder, prints the machine (cores, load), runs
#                         the compare with compute threads THREADS (default 2,4), prefetch 0 and
#                         PREFETCH (default 8), cache on / off, and prints the table
# Environment: SAMPLES (default 20000; the packed subset's size, and run.sh's default).
# The whole folder must stay under 40 MB (it travels to the device with the working tree): ~36 MB.
set -euo pipefail
OUTDIR=${1:?usage: bench/data/pack.sh OUTDIR [BUILD]}
BUILD=${2:-build}
cd "$(dirname "$0")/../.."
SAMPLES=${SAMPLES:-20000}
exe="$BUILD/bench/tessel-bench"
[ -x "$exe" ] || { echo "pack.sh: $exe not built (ninja -C $BUILD tessel-bench)" >&2; exit 2; }
src=/usr/share/datasets/fashion-mnist
[ -f "$src/train-images-idx3-ubyte.gz" ] || { echo "pack.sh: no Fashion-MNIST in $src" >&2; exit 2; }

rm -rf "$OUTDIR"
mkdir -p "$OUTDIR/bin" "$OUTDIR/fashion-mnist"
strip -o "$OUTDIR/bin/tessel-bench" "$exe"
xz -9e -T2 "$OUTDIR/bin/tessel-bench"
libs=$(mktemp -d)
trap 'rm -rf "$libs"' EXIT
ldd "$exe" | awk '/=> \// { print $3 }' | while read -r lib; do
  case "$(basename "$lib")" in
    linux-vdso.so* | ld-linux*.so* | libc.so.* | libm.so.* | libpthread.so.* | libdl.so.* | \
      librt.so.* | libresolv.so.* | libanl.so.* | libutil.so.* | libstdc++.so.* | libgcc_s.so.* | \
      libcublas*.so* | libcublasLt*.so* | libcudnn*.so* | libcudart*.so*)
      continue ;;
  esac
  cp -L "$lib" "$libs/"
done
(cd "$libs" && tar cf - -- *.so*) | xz -9e -T2 >"$OUTDIR/libs.tar.xz"

# The subset: IDX files are a big-endian header (magic, count, dims) then the items.
python3 - "$src" "$OUTDIR/fashion-mnist" "$SAMPLES" <<'PY'
import gzip, struct, sys
src, dst, samples = sys.argv[1], sys.argv[2], int(sys.argv[3])
if samples < 5000:
    sys.exit("pack.sh: SAMPLES must be at least 5000 (the folder writer splits off 5000)")
for name, keep in [("train-images-idx3-ubyte", samples), ("train-labels-idx1-ubyte", samples),
                   ("t10k-images-idx3-ubyte", 100), ("t10k-labels-idx1-ubyte", 100)]:
    with gzip.open(f"{src}/{name}.gz", "rb") as f:
        data = f.read()
    ndim = data[3]
    dims = list(struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim]))
    if keep > dims[0]:
        sys.exit(f"pack.sh: {name} has {dims[0]} items, {keep} asked for")
    item = 1
    for d in dims[1:]:
        item *= d
    head = 4 + 4 * ndim
    dims[0] = keep
    out = data[:4] + struct.pack(">" + "I" * ndim, *dims) + data[head:head + keep * item]
    with open(f"{dst}/{name}", "wb") as g:
        g.write(out)
PY
xz -9e -T2 "$OUTDIR"/fashion-mnist/*

cat >"$OUTDIR/run.sh" <<'RUN'
#!/usr/bin/env bash
# The data-pipeline compare from this packed folder (bench/data/pack.sh made it):
#   bash run.sh                  the compare, the table at the end (also in $OUT/compare.txt)
# Environment: SAMPLES (default: the packed subset), EPOCHS (3: epoch 1 decodes, 2+ show the
# cache step), REPEAT (3, the best is kept), THREADS (compute threads, default 2,4), PREFETCH (8),
# OUT (default ./out), WORK (shards and the PNG folder, written once, default
# /tmp/tessel-data-bench).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
SAMPLES=${SAMPLES:-$(cat "$here/samples.txt")}
EPOCHS=${EPOCHS:-3}; REPEAT=${REPEAT:-3}; THREADS=${THREADS:-2,4}; PREFETCH=${PREFETCH:-8}
OUT=${OUT:-$here/out}; WORK=${WORK:-/tmp/tessel-data-bench}
if [ "$SAMPLES" -gt "$(cat "$here/samples.txt")" ]; then
  echo "run.sh: SAMPLES $SAMPLES is more than the $(cat "$here/samples.txt") packed" >&2
  exit 2
fi
mkdir -p "$OUT" "$WORK"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/tessel-data-pack.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/lib" "$tmp/fashion-mnist"
xz -dc "$here/bin/tessel-bench.xz" >"$tmp/tessel-bench" && chmod +x "$tmp/tessel-bench"
xz -dc "$here/libs.tar.xz" | tar xf - -C "$tmp/lib"
for f in "$here"/fashion-mnist/*.xz; do
  xz -dc "$f" | gzip -1 >"$tmp/fashion-mnist/$(basename "$f" .xz).gz"
done
# cuBLAS 13 and cuDNN 9 (linked, not used here): the toolkit's, else any on the machine (pip
# wheels); their folders go after the packed libraries.
cuda=""
for l in libcublas.so.13 libcudnn.so.9; do
  p=$(ls /usr/local/cuda/lib64/$l /usr/local/cuda/lib/$l \
    /opt/torch/.venv/lib/python3*/site-packages/nvidia/*/lib/$l 2>/dev/null | head -1 || true)
  [ -n "$p" ] ||
    p=$(find / -name "$l" -not -path '/proc/*' -not -path "$tmp/*" 2>/dev/null | head -1 || true)
  [ -n "$p" ] && cuda="$cuda:$(dirname "$p")"
done
export LD_LIBRARY_PATH="$tmp/lib$cuda${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
missing=$(ldd "$tmp/tessel-bench" | grep "not found" || true)
if [ -n "$missing" ]; then
  echo "run.sh: libraries not found here:" >&2
  echo "$missing" >&2
  exit 2
fi
{
  echo "run.sh: $(uname -srm), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2)"
  echo "run.sh: uptime before: $(uptime)"
  echo "run.sh: samples $SAMPLES, epochs $EPOCHS, repeat $REPEAT, compute threads $THREADS, prefetch 0 and $PREFETCH"
} | tee "$OUT/run_info.txt"
set -o pipefail
"$tmp/tessel-bench" tfrecord --compare --samples "$SAMPLES" --epochs "$EPOCHS" --repeat "$REPEAT" \
  --compute-threads "$THREADS" --prefetch "$PREFETCH" --fashion-dir "$tmp/fashion-mnist" \
  --dir "$WORK/shards-$SAMPLES" --folder "$WORK/folder-$SAMPLES" --threads "$(nproc)" \
  >"$OUT/compare.txt" 2>&1 || { tail -30 "$OUT/compare.txt"; exit 1; }
echo "run.sh: uptime after: $(uptime)" | tee -a "$OUT/run_info.txt"
# The table: from the line after the last run's output.
sed -n '/^samples=[0-9]* epochs=/,$p' "$OUT/compare.txt"
RUN
echo "$SAMPLES" >"$OUTDIR/samples.txt"
chmod +x "$OUTDIR/run.sh"
du -sh "$OUTDIR"/* "$OUTDIR"
echo "pack: $(du -sh "$OUTDIR" | cut -f1) in $OUTDIR; run: cd $OUTDIR && bash run.sh"
