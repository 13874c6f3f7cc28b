#!/usr/bin/env bash
# Load test of `kanna serve` on loopback (dev.kanna.bench.ServeLoad): the offline batched `embed`
# throughput on 2048 sentences of the NCBI abstracts, forward-pass times by shape, then a server on those sentences with 1, 8
# and 64 concurrent clients (one sentence, or 32, per request), a lone 20-token request, the
# server's batch-size figures, and the offline figure again (machine load drifts). Waits for a quiet
# machine first (1-minute load average under 0.6, polled every 10 s) and gives up waiting after
# 30 minutes, saying the figures were measured under load. Every step is bounded: the load
# scenarios stop at 60 s each, and the server is stopped with SIGTERM at the end.
#
#   benchmarks/serve_load.sh [MODEL_DIR] [PORT]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
model="${1:-$root/models/all-MiniLM-L6-v2}" port="${2:-18080}"
texts="$root/datasets/ncbi-disease/train-abstracts.txt.gz"
[ -f "$model/model.safetensors" ] || { echo "missing $model: run ./kanna fetch-model all-MiniLM-L6-v2" >&2; exit 1; }
source "$root/bin/find-jdk.sh"

"$root/kanna" --version >/dev/null   # builds the CLI jar when needed, outside the timings
(cd "$root" && mvn -B -q -ntp -o -pl benchmarks -am package -DskipTests >/dev/null)
java=("$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED
      -Djdk.incubator.vector.VECTOR_ACCESS_OOB_CHECK=0 -XX:+UseG1GC -cp "$root/benchmarks/target/benchmarks.jar")

quiet() { awk -v l="$(cut -d' ' -f1 /proc/loadavg)" 'BEGIN { exit !(l < 0.6) }'; }
waited=0
until quiet || [ "$waited" -ge 1800 ]; do sleep 10; waited=$((waited + 10)); done
if quiet; then condition="quiet machine"; else condition="UNDER LOAD (gave up waiting for quiet after 30 min)"; fi
echo "$(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg): $condition"

"${java[@]}" dev.kanna.bench.ServeLoad offline --model "$model" --texts "$texts" 2>/dev/null
"${java[@]}" dev.kanna.bench.ServeLoad passes --model "$model" 2>/dev/null

log="$(mktemp)"
"$root/kanna" serve --model "$model" --port "$port" --device cpu 2>"$log" &
server=$!
trap 'kill -TERM $server 2>/dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 240); do
  curl -sf "http://127.0.0.1:$port/health" >/dev/null && break
  kill -0 "$server" 2>/dev/null || { cat "$log" >&2; exit 1; }
  sleep 0.5
done
"${java[@]}" dev.kanna.bench.ServeLoad load --port "$port" --model "$model" --texts "$texts" --batch 32 --seconds 60 2>/dev/null
curl -s "http://127.0.0.1:$port/metrics" | grep -E '^kanna_(batch_size_(sum|count)|tokens_total|padded_tokens_total)'
kill -TERM "$server"
wait "$server" || true
grep -E 'stopping|stopped' "$log"

"${java[@]}" dev.kanna.bench.ServeLoad offline --model "$model" --texts "$texts" 2>/dev/null
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
