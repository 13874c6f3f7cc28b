#!/usr/bin/env bash
# --cache-frozen end to end: `kanna train` on the quickstart configuration (all-MiniLM-L6-v2, top 2
# of 6 layers + pooler + head, the first 2000 SpamAssassin training rows, validation each epoch, batch 16,
# max length 128, lr 1e-4, 10% warmup, CPU, 2 threads), with and without --cache-frozen, alternating (the order flips every
# round) so machine load hits both alike. Prints per run the trainer's train_seconds (cache
# computation included), the whole process's wall time and its CPU time (user + system: the steadier
# figure when other work shares the machine, as both runs use the same thread pool), then per round
# the ratios uncached/cached.
#
#   benchmarks/cache_frozen_speedup.sh [EPOCHS=2] [ROUNDS=2] [THREADS=2] [ROWS=2000]
#
# The defaults are `kanna quickstart`'s training.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
epochs="${1:-2}" rounds="${2:-2}" threads="${3:-2}" rows="${4:-2000}"
model="$root/models/all-MiniLM-L6-v2"
[ -f "$model/model.safetensors" ] || { echo "missing $model: run ./kanna fetch-model all-MiniLM-L6-v2" >&2; exit 1; }
"$root/kanna" --version >/dev/null   # builds the jar first if needed, outside the timings
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

run() {   # $1 = label, then extra flags; prints "train_seconds wall_seconds cpu_seconds"
  local label="$1"; shift
  /usr/bin/time -f "%e %U %S" -o "$out/$label.time" "$root/kanna" train --model "$model" --train "$root/datasets/spamassassin/train.jsonl.gz" \
    --validation "$root/datasets/spamassassin/validation.jsonl.gz" --out "$out/$label" \
    --overwrite --epochs "$epochs" --batch-size 16 --lr 1e-4 --max-length 128 --unfreeze-top 2 --warmup-ratio 0.1 \
    --limit-train "$rows" --save-total-limit 1 --device cpu --threads "$threads" "$@" >"$out/$label.json" 2>"$out/$label.log"
  python3 - "$out/$label.json" "$out/$label.time" <<'PY'
import json, sys
summary = json.loads(open(sys.argv[1]).read().strip().splitlines()[-1])
wall, user, system = map(float, open(sys.argv[2]).read().split()[-3:])
print(f"{summary['train_seconds']:.1f} {wall:.1f} {user + system:.1f}")
PY
}

echo "quickstart configuration, $rows rows, $epochs epoch(s), $threads threads, $rounds rounds (load average $(cut -d' ' -f1-3 /proc/loadavg))"
for r in $(seq "$rounds"); do
  if [ $((r % 2)) -eq 1 ]; then
    plain=$(run plain); cached=$(run cached --cache-frozen)
  else
    cached=$(run cached --cache-frozen); plain=$(run plain)
  fi
  read -r pt pw pc <<<"$plain"; read -r ct cw cc <<<"$cached"
  python3 -c "print(f'round $r: without cache train {$pt:.1f} s (process {$pw:.1f} s, cpu {$pc:.1f} s); '
                    f'--cache-frozen train {$ct:.1f} s (process {$cw:.1f} s, cpu {$cc:.1f} s); '
                    f'speedup train {$pt/$ct:.2f}x, process {$pw/$cw:.2f}x, cpu {$pc/$cc:.2f}x; load $(cut -d' ' -f1 /proc/loadavg)')"
done
grep -h "cache-frozen" "$out/cached.log" | head -1
