#!/usr/bin/env bash
# Kanna's tokenizer vs HF tokenizers, single-threaded, same corpus, alternating runs in one session:
# HF, Kanna, HF, Kanna. Prints each run's tokens/s; benchmarks/README.md records a result.
# Needs a Python with `tokenizers` (PYTHON=..., default /work/venv-ref/bin/python) and builds the
# benchmarks jar when it is missing. Run from anywhere; it changes to the repository root.
set -euo pipefail
cd "$(dirname "$0")/../.."
source bin/find-jdk.sh
PYTHON=${PYTHON:-/work/venv-ref/bin/python}
jar=benchmarks/target/benchmarks.jar
if [ ! -f "$jar" ]; then
  mvn -B -q -ntp -pl benchmarks -am package -DskipTests
fi
for round in 1 2; do
  echo "== round $round: HF tokenizers (Rust, 1 thread)"
  "$PYTHON" benchmarks/peers/tokenizer_hf.py --seconds 20 --warmup 5
  echo "== round $round: Kanna (JMH, 1 thread)"
  "$JAVA_HOME/bin/java" -jar "$jar" 'TokenizerBenchmark.encode$' -wi 5 -w 2 -i 10 -r 2 2>&1 \
    | grep -E '^(TokenizerBenchmark|[0-9]+ texts)' | sed -E 's/ +tokenizer\/src[^ ]+//g'
done
