#!/usr/bin/env bash
# Speed of Tessel against the PyTorch peer on the Fashion-MNIST MLP and CNN, on this machine, in
# one run. Builds nothing: point it at a built tessel-bench.
#
#   tests/bench/run_bench.sh [path/to/tessel-bench]      (default: build/bench/tessel-bench)
#
# Environment:
#   EPOCHS=1  SAMPLES=55000   epochs and training samples per epoch, the same for both sides
#   CNN_SAMPLES=$SAMPLES      samples for fashion-cnn (the CNN is ~30x slower per sample)
#   THREADS=                  tessel-bench --threads (default: all cores)
#   PEER_THREADS="1 2"        thread counts tried for the peer; the ratio uses the peer's best
#   PEER_TORCH=...            the peer script (default: shared/bench/peer_torch.py beside the
#                             repository checkout, i.e. <repo>/../shared/bench/peer_torch.py)
#   PYTHON=/usr/bin/python3   Debian's python3 with python3-torch (packaging/install-deps.sh --bench)
# Every benchmark that `tessel-bench --help` lists and the peer knows (fashion-mlp -> mlp,
# fashion-cnn -> cnn) is run.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
bench="${1:-${TESSEL_BENCH:-$repo/build/bench/tessel-bench}}"
epochs="${EPOCHS:-1}"
samples="${SAMPLES:-55000}"
cnn_samples="${CNN_SAMPLES:-$samples}"
peer_threads="${PEER_THREADS:-1 2}"
python="${PYTHON:-/usr/bin/python3}"
peer="${PEER_TORCH:-$repo/../shared/bench/peer_torch.py}"
die() { echo "run_bench: error: $*" >&2; exit 1; }
[ -x "$bench" ] || die "no tessel-bench binary at '$bench' (build first, or pass its path)"
[ -f "$peer" ] || die "peer script not found at '$peer' (set PEER_TORCH)"
"$python" -c 'import torch' 2>/dev/null ||
  die "$python cannot import torch (sudo packaging/install-deps.sh --bench)"
thread_args=()
if [ -n "${THREADS:-}" ]; then thread_args=(--threads "$THREADS"); fi

available="$("$bench" --help)"
summary=()
for pair in fashion-mlp:mlp fashion-cnn:cnn; do
  name="${pair%%:*}"; kind="${pair##*:}"
  if ! grep -qE "^  $name( |$)" <<<"$available"; then
    echo "== $name: not available in this tessel-bench, skipped"; continue
  fi
  n="$samples"; if [ "$kind" = cnn ]; then n="$cnn_samples"; fi
  echo "== $name: $n samples x $epochs epoch(s)"
  echo "-- tessel-bench $name --samples $n --epochs $epochs ${thread_args[*]}"
  out="$("$bench" "$name" --samples "$n" --epochs "$epochs" "${thread_args[@]}")" ||
    die "tessel-bench $name failed"
  echo "$out"
  ours="$(tail -n 1 <<<"$out" | sed -n 's/^samples_per_s=\([0-9.]*\)$/\1/p')"
  [ -n "$ours" ] || die "tessel-bench $name: last line is not samples_per_s=N"
  best=0; best_t=""
  for t in $peer_threads; do
    echo "-- $python $peer $kind $epochs $t $n"
    pout="$("$python" "$peer" "$kind" "$epochs" "$t" "$n")" || die "peer $kind ($t threads) failed"
    echo "$pout"
    v="$(grep '^RESULT' <<<"$pout" | sed -n 's/.*samples_per_s=\([0-9.]*\).*/\1/p')"
    [ -n "$v" ] || die "peer $kind: no RESULT line"
    if awk -v a="$v" -v b="$best" 'BEGIN { exit !(a > b) }'; then best="$v"; best_t="$t"; fi
  done
  ratio="$(awk -v a="$ours" -v b="$best" 'BEGIN { printf "%.2f", a / b }')"
  summary+=("$(printf '%-12s tessel %8.0f samples/s   peer best %8.0f samples/s (%s thread(s))   ratio %sx' \
    "$name" "$ours" "$best" "$best_t" "$ratio")")
done
[ "${#summary[@]}" -gt 0 ] || die "no benchmark was run ('$bench --help' lists neither fashion-mlp nor fashion-cnn)"
echo
echo "== summary (epochs=$epochs; tessel / PyTorch peer's best, higher is better)"
for line in "${summary[@]}"; do echo "$line"; done
