#!/usr/bin/env bash
# Packed by tests/fuzz/pack.sh: one round of fuzzing every packed target at once (PARALLEL = the
# cores) for MINUTES, continuing from grown.tgz (the corpora an earlier round grew, put beside this
# script) when present; writes OUT/summary.md, OUT/artifacts/<target>/ and OUT/grown.tgz (the
# corpora after this round), so rounds on machines lent for a few minutes add up:
#   cd PACK && OUT=out bash round.sh 9   # then: cp out/grown.tgz PACK/ for the next round
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
MINUTES=${1:-5}
OUT=${OUT:?set OUT to a folder for the results}
mkdir -p "$OUT"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
gzip -dc "$here/bin/fuzz_all.gz" >"$tmp/fuzz_all" && chmod +x "$tmp/fuzz_all" || exit 2
if [ -f "$here/libs.tar.xz" ]; then
  tar xJf "$here/libs.tar.xz" -C "$tmp" && export LD_LIBRARY_PATH="$tmp/lib"
else
  export LD_LIBRARY_PATH="$here/lib"
fi
mkdir -p "$tmp/work"
[ -f "$here/grown.tgz" ] && tar xzf "$here/grown.tgz" -C "$tmp/work"
n=0
for d in "$tmp"/work/*/corpus; do [ -d "$d" ] && n=$((n + $(find "$d" -type f | wc -l))); done
echo "round: $n inputs carried from an earlier round"
mapfile -t targets <"$here/targets.txt"
echo "round: ${#targets[@]} targets, $MINUTES min, $(nproc) cores, $(uname -srm), $(date -u)"
FUZZ_EXE="$tmp/fuzz_all" WORK_DIR="$tmp/work" CORPUS_DIR="$here/corpus" \
  ARTIFACTS_DIR="$OUT/artifacts" SUMMARY="$OUT/summary.md" PARALLEL=${PARALLEL:-$(nproc)} \
  bash "$here/run_all.sh" "$MINUTES" "${targets[@]}"
status=$?
(cd "$tmp/work" && tar czf "$OUT/grown.tgz" */corpus)
echo "round: exit $status $(date -u)"
exit $status
