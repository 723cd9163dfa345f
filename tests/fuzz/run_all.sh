#!/usr/bin/env bash
# Builds every libFuzzer target (tests/fuzz/fuzz_*.cpp) and runs each for MINUTES minutes, then
# prints one table: target, minutes, executions, crashes, timeouts, OOMs, leaks, corpus size.
#   tests/fuzz/run_all.sh [MINUTES] [TARGET...]      MINUTES defaults to 1, TARGET to every one
# Environment: BUILD_DIR (default build-fuzz; configured with clang and -DTESSEL_FUZZ=ON when it
# does not exist), RSS_LIMIT_MB (2048: an input that makes the process larger is an OOM),
# MALLOC_LIMIT_MB (1024: one allocation larger than this is an OOM), TIMEOUT_S (10: one input
# slower than this is a timeout), JOBS (fuzzing processes per target, 1).
# Each target starts from its committed seeds (tests/fuzz/corpus/<target>/) plus what earlier
# runs found (BUILD_DIR/fuzz-work/<target>/corpus); findings are written to
# BUILD_DIR/fuzz-work/<target>/artifacts/ (crash-*, timeout-*, oom-*, leak-*: rerun one with
# BUILD_DIR/tests/<target> FILE). Exits 1 when any target found something.
set -uo pipefail
cd "$(dirname "$0")/../.."
MINUTES=${1:-1}
shift || true
BUILD_DIR=${BUILD_DIR:-build-fuzz}
RSS_LIMIT_MB=${RSS_LIMIT_MB:-2048}
MALLOC_LIMIT_MB=${MALLOC_LIMIT_MB:-1024}
TIMEOUT_S=${TIMEOUT_S:-10}
JOBS=${JOBS:-1}

if [ ! -f "$BUILD_DIR/CMakeCache.txt" ]; then
  CXX=${CXX:-clang++} cmake -S . -B "$BUILD_DIR" -G Ninja -DTESSEL_FUZZ=ON -DTESSEL_BUILD_UI=OFF \
    >/dev/null || exit 2
fi
cmake --build "$BUILD_DIR" --target tessel_fuzz -- -j"${BUILD_JOBS:-2}" >/dev/null || {
  echo "run_all: building the fuzz targets failed (cmake --build $BUILD_DIR --target tessel_fuzz)" >&2
  exit 2
}

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for src in tests/fuzz/fuzz_*.cpp; do targets+=("$(basename "$src" .cpp)"); done
fi

seconds=$(awk "BEGIN { printf \"%d\", $MINUTES * 60 }")
rows=()
found=0
for t in "${targets[@]}"; do
  exe="$BUILD_DIR/tests/$t"
  work="$BUILD_DIR/fuzz-work/$t"
  mkdir -p "$work/corpus" "$work/artifacts"
  [ -d "tests/fuzz/corpus/$t" ] && cp -n "tests/fuzz/corpus/$t"/* "$work/corpus/" 2>/dev/null
  log="$work/fuzz.log"
  # Fork mode keeps fuzzing after a finding and counts crashes, timeouts and OOMs; leaks are
  # crashes whose artifact is named leak-*.
  # TESSEL_FUZZ_SEED_DIR: a target may write generated seeds there (fuzz_project_open writes a
  # small valid project, too large to commit).
  TESSEL_FUZZ_SEED_DIR="$work/corpus" \
  ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=0} \
  UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
    "$exe" -fork="$JOBS" -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 \
    -max_total_time="$seconds" -rss_limit_mb="$RSS_LIMIT_MB" -malloc_limit_mb="$MALLOC_LIMIT_MB" \
    -timeout="$TIMEOUT_S" -max_len=65536 -artifact_prefix="$work/artifacts/" \
    "$work/corpus" >"$log" 2>&1
  execs=$(grep -oE '^#[0-9]+' "$log" | tail -1 | tr -d '#')
  count() { find "$work/artifacts" -maxdepth 1 -name "$1-*" | wc -l; }
  crashes=$(count crash)
  timeouts=$(count timeout)
  ooms=$(count oom)
  leaks=$(count leak)
  corpus=$(find "$work/corpus" -type f | wc -l)
  if [ $((crashes + timeouts + ooms + leaks)) -gt 0 ]; then found=1; fi
  rows+=("$(printf '| %-20s | %7s | %12s | %7s | %8s | %4s | %5s | %6s |' "$t" "$MINUTES" \
    "${execs:-0}" "$crashes" "$timeouts" "$ooms" "$leaks" "$corpus")")
done

printf '| %-20s | %7s | %12s | %7s | %8s | %4s | %5s | %6s |\n' target minutes executions \
  crashes timeouts OOMs leaks corpus
printf '|%s|%s|%s|%s|%s|%s|%s|%s|\n' ---------------------- --------- -------------- --------- \
  ---------- ------ ------- --------
printf '%s\n' "${rows[@]}"
exit $found
