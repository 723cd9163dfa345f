#!/usr/bin/env bash
# Packs the fuzz targets to run on another x86-64 Linux machine (no compiler, no internet):
#   tests/fuzz/pack.sh OUTDIR          e.g. tests/fuzz/pack.sh .fuzzpack (ignored by git)
# then, on that machine:
#   cd OUTDIR && OUT=/some/dir bash run.sh [MINUTES] [TARGET...]
# OUTDIR holds
#   bin/fuzz_all.gz   every target in one sanitizer + libFuzzer executable (fuzz_all, see
#                     tests/fuzz/FuzzAll.cpp.in; debug info stripped, symbols kept), gzipped: one
#                     copy of the instrumented engine instead of fifteen keeps OUTDIR small
#   lib/              every shared library `ldd` lists for it except glibc, libstdc++ and libgcc
#                     (HDF5, protobuf, SQLite, zlib, libzip, libcurl's tree, ... of this Debian)
#   corpus/<target>/  the committed seed corpora (tests/fuzz/corpus)
#   targets.txt, run_all.sh, run.sh, round.sh (rounds that carry the grown corpora over, for
#                     machines lent a few minutes at a time)
# run.sh unpacks the executable into a temporary folder, runs run_all.sh in prebuilt mode with
# LD_LIBRARY_PATH=OUTDIR/lib and PARALLEL=the number of cores (all targets at once on 16 cores),
# and writes the summary table (OUT/summary.md), each target's log and findings
# (OUT/artifacts/<target>/) to OUT; the grown corpora stay in the temporary folder.
# Environment: BUILD_DIR (build-asan: configured as .ci/sanitize does when it does not exist).
set -euo pipefail
OUTDIR=${1:?usage: tests/fuzz/pack.sh OUTDIR}
cd "$(dirname "$0")/../.."
BUILD_DIR=${BUILD_DIR:-build-asan}
if [ ! -f "$BUILD_DIR/CMakeCache.txt" ]; then
  CXX=${CXX:-clang++} cmake -S . -B "$BUILD_DIR" -G Ninja -DTESSEL_SANITIZE=address,undefined \
    -DTESSEL_FUZZ=ON -DTESSEL_BUILD_UI=OFF >/dev/null
fi
cmake --build "$BUILD_DIR" --target fuzz_all -- -j"${BUILD_JOBS:-2}" >/dev/null
exe="$BUILD_DIR/tests/fuzz_all"

rm -rf "$OUTDIR"
mkdir -p "$OUTDIR/bin" "$OUTDIR/lib" "$OUTDIR/corpus"
strip --strip-debug -o "$OUTDIR/bin/fuzz_all" "$exe"
gzip -9 "$OUTDIR/bin/fuzz_all"
# Shared libraries but glibc's (a library of another glibc release would not load beside the
# target's libc) and the C++ runtime's (the target's is newer or the same).
ldd "$exe" | awk '/=> \// { print $3 }' | while read -r lib; do
  case "$(basename "$lib")" in
    linux-vdso.so* | ld-linux*.so* | libc.so.* | libm.so.* | libpthread.so.* | libdl.so.* | \
      librt.so.* | libresolv.so.* | libanl.so.* | libutil.so.* | libstdc++.so.* | libgcc_s.so.*)
      continue ;;
  esac
  cp -L "$lib" "$OUTDIR/lib/"
done
targets=()
for src in tests/fuzz/fuzz_*.cpp; do targets+=("$(basename "$src" .cpp)"); done
printf '%s\n' "${targets[@]}" >"$OUTDIR/targets.txt"
for t in "${targets[@]}"; do
  if [ -d "tests/fuzz/corpus/$t" ]; then cp -r "tests/fuzz/corpus/$t" "$OUTDIR/corpus/"; fi
done
cp tests/fuzz/run_all.sh "$OUTDIR/run_all.sh"
cp tests/fuzz/lsan.supp "$OUTDIR/lsan.supp"
cp tests/fuzz/round.sh "$OUTDIR/round.sh"
cat >"$OUTDIR/run.sh" <<'EOF'
#!/usr/bin/env bash
# Runs every packed fuzz target (or those named) for MINUTES minutes each, PARALLEL at a time
# (default: the number of cores); the table goes to stdout and OUT/summary.md, each target's log
# and findings to OUT/artifacts/<target>/. Reproduce a finding here or on the build machine:
#   TESSEL_FUZZ_TARGET=<target> LD_LIBRARY_PATH=lib <unpacked fuzz_all> OUT/artifacts/<target>/crash-...
#   bash run.sh [MINUTES] [TARGET...]       (OUT defaults to ./out)
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
MINUTES=${1:-10}
shift || true
targets=("$@")
[ ${#targets[@]} -eq 0 ] && mapfile -t targets <"$here/targets.txt"
OUT=${OUT:-$here/out}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/tessel-fuzzpack.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
gzip -dc "$here/bin/fuzz_all.gz" >"$tmp/fuzz_all" && chmod +x "$tmp/fuzz_all" || exit 2
export LD_LIBRARY_PATH="$here/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
if ! TESSEL_FUZZ_TARGET="${targets[0]}" "$tmp/fuzz_all" -runs=0 "$here/corpus/${targets[0]}" \
  >"$OUT/check.log" 2>&1; then
  echo "run.sh: fuzz_all does not start here (see $OUT/check.log)" >&2
  cat "$OUT/check.log" >&2
  exit 2
fi
cores=$(nproc 2>/dev/null || echo 1)
echo "run.sh: ${#targets[@]} targets, $MINUTES min each, ${PARALLEL:-$cores} at a time, on $(uname -srm), $cores cores" |
  tee "$OUT/run_info.txt"
FUZZ_EXE="$tmp/fuzz_all" WORK_DIR="$tmp/work" CORPUS_DIR="$here/corpus" \
  ARTIFACTS_DIR="$OUT/artifacts" SUMMARY="$OUT/summary.md" PARALLEL=${PARALLEL:-$cores} \
  bash "$here/run_all.sh" "$MINUTES" "${targets[@]}"
status=$?
echo "run.sh: exit $status (0 nothing found, 1 findings in $OUT/artifacts, 2 a target did not run)" |
  tee -a "$OUT/run_info.txt"
exit $status
EOF
chmod +x "$OUTDIR/run.sh" "$OUTDIR/run_all.sh"
du -sh "$OUTDIR"
echo "pack: $(du -sh "$OUTDIR" | cut -f1) in $OUTDIR; run: cd $OUTDIR && OUT=DIR bash run.sh MINUTES"
