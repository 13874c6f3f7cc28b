#!/usr/bin/env bash
# The GPU device check, one command on the lent GPU machine (README.md beside this file):
#
#   bash .carry/kanna-gpu/check.sh            # full: tests, GEMM bf16 + fp32, training step, 5 rounds
#   bash .carry/kanna-gpu/check.sh --quick    # tests, bf16 GEMMs only, 3 rounds (a first visit)
#
# It runs from the folder prepare.sh fills (jre.tgz, lib/*.jar, these scripts): prints the
# environment, probes the CUDA backend (which runs the wgmma self-check on compute capability 9.0),
# runs the GPU test suite (every kernel against the CPU backend), the whole-model parity against
# PyTorch on this GPU (logits and gradients, fp32 and bf16 modes), then the side-by-side benchmark
# against PyTorch. Logs go to $OUT (the device tool's folder; ./kanna-gpu-out elsewhere), at most 7
# files. Each step has a time limit and a failing step does not stop the next; the last lines are a
# summary.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
OUT="${OUT:-$PWD/kanna-gpu-out}"
mkdir -p "$OUT"
quick=""
[ "${1:-}" = "--quick" ] && quick="--quick"
export PYTHONUNBUFFERED=1
PYTHON="${PYTHON:-python3}"   # rehearsals elsewhere: a venv with torch, transformers, safetensors
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
timeout 120 "$JAVA" $JOPTS -cp "$CP" dev.kanna.cuda.bench.Probe 2>&1 | tee "$OUT/probe.txt"
probe_status=${PIPESTATUS[0]}
echo "probe exit status: $probe_status"
if [ "$probe_status" -ne 0 ] && [ "$probe_status" -ne 2 ]; then
  # a fault in a start-up check (wgmma kernels, packed launch arguments) would poison every later
  # process's CUDA context alike; the mma.sync kernels and JCuda's marshalling still give results
  echo "the probe failed: the remaining steps run with -Dkanna.cuda.wgmma=off -Dkanna.cuda.launch=jcuda" | tee -a "$OUT/probe.txt"
  JOPTS="$JOPTS -Dkanna.cuda.wgmma=off -Dkanna.cuda.launch=jcuda"
fi

step "GPU tests (every kernel against the CPU backend)"
timeout "${KANNA_TEST_TIMEOUT:-180}" "$JAVA" $JOPTS -cp "$CP" dev.kanna.cuda.GpuTestMain 2>&1 | tee "$OUT/gpu-tests.txt"
echo "test run exit status: ${PIPESTATUS[0]}"

step "whole-model parity against PyTorch on this GPU (fp32 <= 1e-3, bf16 <= 2e-2 relative)"
{
  rm -rf /tmp/kanna-parity
  timeout "${KANNA_PARITY_TIMEOUT:-150}" "$PYTHON" "$here/model_parity_torch.py" /tmp/kanna-parity ${KANNA_PARITY_ARGS:-} &&
  timeout "${KANNA_PARITY_TIMEOUT:-150}" "$JAVA" $JOPTS -cp "$CP" dev.kanna.cuda.bench.ModelParity /tmp/kanna-parity \
      --device "${KANNA_PARITY_DEVICE:-cuda}"
  echo "parity exit status: $?"
} 2>&1 | tee "$OUT/parity.txt"

step "side-by-side benchmark against PyTorch"
(cd "$here" && timeout "${KANNA_BENCH_TIMEOUT:-300}" "$PYTHON" side_by_side.py $quick ${KANNA_BENCH_ARGS:-} --out "$OUT" \
   --java "$JAVA $JOPTS -cp $here/lib/* dev.kanna.cuda.bench.BenchServer") 2>&1 | tee "$OUT/bench.txt"
echo "benchmark exit status: ${PIPESTATUS[0]}"

step "every command on the GPU (cpu and cuda runs side by side)"
timeout "${KANNA_COMMANDS_TIMEOUT:-420}" bash "$here/commands.sh" "${KANNA_REPO:-$PWD}" "$JAVA" "$JOPTS" "$OUT/commands.txt" \
    > "$OUT/commands-log.txt" 2>&1
echo "commands exit status: $?"
tail -40 "$OUT/commands.txt" 2>/dev/null

step "summary"
grep -h "cuda backend" "$OUT/probe.txt" || true
grep -h "^FAIL\|^GPU TESTS" "$OUT/gpu-tests.txt" || echo "GPU TESTS: no result (see gpu-tests.txt)"
grep -h "^fp32: \|^bf16: \|^MODEL PARITY" "$OUT/parity.txt" || echo "MODEL PARITY: no result (see parity.txt)"
sed -n '/^SUMMARY/,$p' "$OUT/bench.txt"
grep -h "^COMMANDS ON THE GPU" "$OUT/commands.txt" 2>/dev/null || echo "COMMANDS ON THE GPU: no result (see commands-log.txt)"
