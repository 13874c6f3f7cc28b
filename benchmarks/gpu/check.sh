#!/usr/bin/env bash
# The GPU device check, one command on the lent GPU machine (README.md beside this file):
#
#   bash .carry/kanna-gpu/check.sh            # full: tests, GEMM bf16 + fp32, training step, 5 rounds
#   bash .carry/kanna-gpu/check.sh --quick    # tests, bf16 GEMMs only, 3 rounds (a first visit)
#
# It runs from the folder prepare.sh fills (jre.tgz, lib/*.jar, these scripts): prints the
# environment, probes the CUDA backend, runs the GPU test suite (every kernel against the CPU
# backend), then the side-by-side benchmark against PyTorch. Logs go to $OUT (the device tool's
# folder; ./kanna-gpu-out elsewhere), at most 6 files. Each step has a time limit and a failing step
# does not stop the next; the last lines are a summary.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
OUT="${OUT:-$PWD/kanna-gpu-out}"
mkdir -p "$OUT"
quick=""
[ "${1:-}" = "--quick" ] && quick="--quick"
export PYTHONUNBUFFERED=1
step() { echo; echo "=== $* ($(date +%T))"; }

step "environment"
{
  nvidia-smi || echo "nvidia-smi: not available"
  uname -srm; echo "cpus: $(nproc)"; free -g | head -2
  echo "libcublas on this machine:"
  { ldconfig -p 2>/dev/null | grep -i libcublas; find /usr /opt -name 'libcublas.so*' 2>/dev/null | head -20; } | sort -u
  python3 -c 'import sys, torch; print("python", sys.version.split()[0], "torch", torch.__version__, "cuda", torch.version.cuda,
      torch.cuda.get_device_name() if torch.cuda.is_available() else "(torch sees no GPU)")' 2>&1 || echo "python3/torch: not available"
  if command -v java >/dev/null; then echo "java on PATH: $(command -v java)"; java -version 2>&1; else echo "java: none on PATH"; fi
} 2>&1 | tee "$OUT/env.txt"

step "java"
JAVA=""
if command -v java >/dev/null && java -version 2>&1 | grep -qE 'version "(2[5-9]|[3-9][0-9])'; then
  JAVA="$(command -v java)"
elif [ -f "$here/jre.tgz" ]; then
  mkdir -p /tmp/kanna-jre && tar xzf "$here/jre.tgz" -C /tmp/kanna-jre && JAVA=/tmp/kanna-jre/jre/bin/java
fi
if [ -z "$JAVA" ] || ! "$JAVA" -version >/dev/null 2>&1; then
  echo "no usable Java 25 (none on PATH, and $here/jre.tgz missing or broken): run prepare.sh first"
  exit 2
fi
"$JAVA" -version 2>&1 | head -1
JOPTS="--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -XX:+UseParallelGC -Xss4m -Xmx8g"
CP="$here/lib/*"

step "probe"
timeout 90 "$JAVA" $JOPTS -cp "$CP" dev.kanna.cuda.bench.Probe 2>&1 | tee "$OUT/probe.txt"

step "GPU tests (every kernel against the CPU backend)"
timeout "${KANNA_TEST_TIMEOUT:-180}" "$JAVA" $JOPTS -cp "$CP" dev.kanna.cuda.GpuTestMain 2>&1 | tee "$OUT/gpu-tests.txt"
echo "test run exit status: ${PIPESTATUS[0]}"

step "side-by-side benchmark against PyTorch"
(cd "$here" && timeout "${KANNA_BENCH_TIMEOUT:-300}" python3 side_by_side.py $quick --out "$OUT" \
   --java "$JAVA $JOPTS -cp $here/lib/* dev.kanna.cuda.bench.BenchServer") 2>&1 | tee "$OUT/bench.txt"
echo "benchmark exit status: ${PIPESTATUS[0]}"

step "summary"
grep -h "cuda backend" "$OUT/probe.txt" || true
grep -h "^FAIL\|^GPU TESTS" "$OUT/gpu-tests.txt" || echo "GPU TESTS: no result (see gpu-tests.txt)"
sed -n '/^SUMMARY/,$p' "$OUT/bench.txt"
