#!/usr/bin/env bash
# Regenerates the committed PTX (src/main/resources/dev/kanna/cuda/*.ptx) from src/main/cuda/*.cu,
# so the Maven build needs no nvcc. Run after editing any .cu or .cuh file, then commit both.
#
#   cuda-kernels/build-ptx.sh            # writes the resources
#   cuda-kernels/build-ptx.sh OUTDIR     # writes elsewhere (PtxFreshnessTest compares the two)
#
# Target: compute_80 PTX (Ampere and newer; the driver JIT-compiles it for Hopper). nvcc 13 stamps
# its PTX with ISA 9.0, which only CUDA 13 drivers accept; nothing here needs more than ISA 8.0
# (CUDA 12.0), so the stamp is lowered to 8.0 and ptxas re-checks every file at that version: the
# same PTX then loads on CUDA 12 drivers too (where cuBLAS 12 is usually installed).
# adamw.cu is built with -fmad=false so its update rounds exactly like the CPU backend's.
# gemm_sm90.cu uses Hopper-only instructions (wgmma): compute_90a PTX, which loads on compute
# capability 9.0 alone (Kernels.java loads it only there); ISA 8.0 is where wgmma appeared.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
src="$here/src/main/cuda"
out="${1:-$here/src/main/resources/dev/kanna/cuda}"
mkdir -p "$out"
NVCC="${NVCC:-nvcc}"
PTX_ISA="8.0"

for cu in "$src"/*.cu; do
  name="$(basename "$cu" .cu)"
  flags=(-ptx -arch=compute_80 -O3 -std=c++17 --restrict -Xptxas -O3)
  [ "$name" = adamw ] && flags+=(-fmad=false)
  [ "$name" = gemm_sm90 ] && flags=(-ptx -arch=compute_90a -O3 -std=c++17 --restrict -Xptxas -O3)
  # Compile from inside the source folder with relative names, so no absolute path lands in the PTX.
  (cd "$src" && "$NVCC" "${flags[@]}" -o "$out/$name.ptx.tmp" "$name.cu")
  sed -i -E "s/^\.version [0-9]+\.[0-9]+$/.version $PTX_ISA/" "$out/$name.ptx.tmp"
  mv "$out/$name.ptx.tmp" "$out/$name.ptx"
done
echo "PTX written to $out" >&2
