#!/usr/bin/env bash
# Builds every libFuzzer target (tests/fuzz/fuzz_*.cpp) and runs each for MINUTES minutes, then
# prints one table: target, minutes, executions, crashes, timeouts, OOMs, leaks, corpus size.
#   tests/fuzz/run_all.sh [MINUTES] [TARGET...]      MINUTES defaults to 1, TARGET to every one
# Environment: BUILD_DIR (default build-fuzz; configured with clang and -DTESSEL_FUZZ=ON when it
# does not exist), PARALLEL (targets fuzzed at the same time, 1: on a machine of N cores,
# PARALLEL=N runs N targets at once, so all of them take MINUTES in one go when N >= their
# number), RSS_LIMIT_MB (2048: an input that makes the process larger is an OOM),
# MALLOC_LIMIT_MB (1024: one allocation larger than this is an OOM), TIMEOUT_S (10: one input
# slower than this is a timeout), JOBS (fuzzing processes per target, 1), SUMMARY (a file the
# table is also written to).
# Each target starts from its committed seeds (CORPUS_DIR/<target>/, default tests/fuzz/corpus)
# plus what earlier runs found (WORK_DIR/<target>/corpus, default BUILD_DIR/fuzz-work); findings
# and the log are written to ARTIFACTS_DIR/<target>/ (default WORK_DIR/<target>/artifacts:
# crash-*, timeout-*, oom-*, leak-*: rerun one with BUILD_DIR/tests/<target> FILE).
# Prebuilt mode (the runner tests/fuzz/pack.sh ships): FUZZ_EXE=.../fuzz_all, the executable
# holding every target (chosen by TESSEL_FUZZ_TARGET); nothing is built, TARGETs are required
# and WORK_DIR / CORPUS_DIR / ARTIFACTS_DIR are used as given.
# Exits 1 when any target found something, 2 when a target could not run.
set -uo pipefail
# Known leaks inside system libraries (tests/fuzz/lsan.supp, beside this script).
SUPPRESSIONS=${SUPPRESSIONS:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lsan.supp}

MINUTES=${1:-1}
shift || true
RSS_LIMIT_MB=${RSS_LIMIT_MB:-2048}
MALLOC_LIMIT_MB=${MALLOC_LIMIT_MB:-1024}
TIMEOUT_S=${TIMEOUT_S:-10}
JOBS=${JOBS:-1}
PARALLEL=${PARALLEL:-1}
FUZZ_EXE=${FUZZ_EXE:-}
targets=("$@")

if [ -z "$FUZZ_EXE" ]; then
  cd "$(dirname "$0")/../.."
  BUILD_DIR=${BUILD_DIR:-build-fuzz}
  if [ ! -f "$BUILD_DIR/CMakeCache.txt" ]; then
    CXX=${CXX:-clang++} cmake -S . -B "$BUILD_DIR" -G Ninja -DTESSEL_FUZZ=ON -DTESSEL_BUILD_UI=OFF \
      >/dev/null || exit 2
  fi
  cmake --build "$BUILD_DIR" --target tessel_fuzz -- -j"${BUILD_JOBS:-2}" >/dev/null || {
    echo "run_all: building the fuzz targets failed (cmake --build $BUILD_DIR --target tessel_fuzz)" >&2
    exit 2
  }
  if [ ${#targets[@]} -eq 0 ]; then
    for src in tests/fuzz/fuzz_*.cpp; do targets+=("$(basename "$src" .cpp)"); done
  fi
  WORK_DIR=${WORK_DIR:-$BUILD_DIR/fuzz-work}
  CORPUS_DIR=${CORPUS_DIR:-tests/fuzz/corpus}
elif [ ${#targets[@]} -eq 0 ]; then
  echo "run_all: FUZZ_EXE is set: name the targets" >&2
  exit 2
fi
WORK_DIR=${WORK_DIR:-fuzz-work}
CORPUS_DIR=${CORPUS_DIR:-corpus}

seconds=$(awk "BEGIN { printf \"%d\", $MINUTES * 60 }")

# Fuzzes target $1 and writes its table row to WORK_DIR/$1/row.
fuzz_one() {
  local t=$1
  local work="$WORK_DIR/$t"
  local artifacts=${ARTIFACTS_DIR:+$ARTIFACTS_DIR/$t}
  artifacts=${artifacts:-$work/artifacts}
  mkdir -p "$work/corpus" "$artifacts"
  rm -f "$work/row"
  [ -d "$CORPUS_DIR/$t" ] && cp -n "$CORPUS_DIR/$t"/* "$work/corpus/" 2>/dev/null
  local log="$artifacts/fuzz.log"
  local exe=(env "TESSEL_FUZZ_TARGET=$t" "$FUZZ_EXE")
  [ -z "$FUZZ_EXE" ] && exe=("$BUILD_DIR/tests/$t")
  # Fork mode keeps fuzzing after a finding and counts crashes, timeouts and OOMs; leaks are
  # crashes whose artifact is named leak-*.
  # TESSEL_FUZZ_SEED_DIR: a target may write generated seeds there (fuzz_project_open writes a
  # small valid project, too large to commit).
  TESSEL_FUZZ_SEED_DIR="$work/corpus" \
  ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=0} \
  UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
  LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$SUPPRESSIONS:fast_unwind_on_malloc=0} \
    "${exe[@]}" -fork="$JOBS" -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 \
    -max_total_time="$seconds" -rss_limit_mb="$RSS_LIMIT_MB" -malloc_limit_mb="$MALLOC_LIMIT_MB" \
    -timeout="$TIMEOUT_S" -max_len=65536 -artifact_prefix="$artifacts/" \
    "$work/corpus" >"$log" 2>&1
  local execs
  execs=$(grep -oE '^#[0-9]+' "$log" | tail -1 | tr -d '#')
  count() { find "$artifacts" -maxdepth 1 -name "$1-*" | wc -l; }
  local corpus
  corpus=$(find "$work/corpus" -type f | wc -l)
  printf '| %-20s | %7s | %12s | %7s | %8s | %4s | %5s | %6s |\n' "$t" "$MINUTES" \
    "${execs:-0}" "$(count crash)" "$(count timeout)" "$(count oom)" "$(count leak)" "$corpus" \
    >"$work/row"
}

running=0
for t in "${targets[@]}"; do
  if [ "$running" -ge "$PARALLEL" ]; then
    wait -n
    running=$((running - 1))
  fi
  fuzz_one "$t" &
  running=$((running + 1))
done
wait

found=0
{
  printf '| %-20s | %7s | %12s | %7s | %8s | %4s | %5s | %6s |\n' target minutes executions \
    crashes timeouts OOMs leaks corpus
  printf '|%s|%s|%s|%s|%s|%s|%s|%s|\n' ---------------------- --------- -------------- --------- \
    ---------- ------ ------- --------
  for t in "${targets[@]}"; do
    if [ -f "$WORK_DIR/$t/row" ]; then
      cat "$WORK_DIR/$t/row"
    else
      printf '| %-20s | did not run |\n' "$t"
    fi
  done
} | tee ${SUMMARY:+"$SUMMARY"}
for t in "${targets[@]}"; do
  [ -f "$WORK_DIR/$t/row" ] || found=2
done
for t in "${targets[@]}"; do
  [ -f "$WORK_DIR/$t/row" ] || continue
  # crashes, timeouts, OOMs, leaks: fields 5-8 of the row
  if awk -F'|' '{ exit !($5 + $6 + $7 + $8 > 0) }' "$WORK_DIR/$t/row"; then
    [ "$found" = 0 ] && found=1
  fi
done
# A target whose executable did not start (no executions) counts as not run.
for t in "${targets[@]}"; do
  [ -f "$WORK_DIR/$t/row" ] || continue
  if awk -F'|' '{ exit !($4 + 0 == 0) }' "$WORK_DIR/$t/row"; then found=2; fi
done
exit $found
