// Matrix products C = alpha · op(A) · op(B) + beta · C + bias, row-major, every transpose the
// Linear layers need, batched and split over K.
//
// Operand layouts, named by which index is contiguous in memory:
//   A (M×K): "ak" stored [m][k] (k contiguous, lda ≥ K),  "am" stored [k][m] (lda ≥ M)
//   B (K×N): "bk" stored [n][k] (k contiguous, ldb ≥ K),  "bn" stored [k][n] (ldb ≥ N)
// Linear forward   out = in · Wᵀ        → ak_bk;  dIn += dOut · W   → ak_bn;  dW += dOutᵀ · in → am_bn.
// gridDim.z = batch × splits: z / splits picks the batch (strides strideA/B/C), z % splits the K
// slice [split·kChunk, ...). With splits > 1 each slice writes its own (M, N) partial at
// C + split·splitStrideC (beta 0, no bias) and gemm_splitk_reduce sums the slices in order: split-K
// stays deterministic. beta = 0 never reads C (it may hold garbage, NaN included).
//
// Kernels:
//  - sgemm_*: fp32 on the CUDA cores, 128×128×8 tiles, 8×8 outputs per thread, register-prefetched
//    double buffer. The fp32 mode's product (parity tests).
//  - gemm_tc_f32_*: bf16 tensor cores (mma.sync.m16n8k16, fp32 accumulation) reading fp32 operands
//    and rounding them to bf16 on the way into shared memory (register-staged double buffer): the
//    mixed-precision product on fp32 tensors, no separate conversion pass.
//  - gemm_tc_bf16_* (gemm_bf16.cu, its own module): the same on bf16 operands with a cp.async
//    multi-stage pipeline (operands pre-converted; the peak-rate path, for the GEMM benchmark).
// Tensor-core tiles: 128 × BN × 32 (BN 128 or 256), 8 warps in 2 × 4, warp tile 64 × BN/4, operands
// fetched with ldmatrix (.trans for m/n-major tiles), rows padded by 16 bytes so the eight 16-byte
// rows of each ldmatrix phase land in distinct banks.
//
// Napkin math, 4096³ bf16 (2·4096³ = 137 GFLOP): at the H200's ~790 TFLOP/s (torch.matmul) 0.17 ms.
// A 128×256 tile reuses each loaded element 128–256 times: (128+256)·32·2 bytes per 2·128·256·32
// FLOP = 0.012 bytes/FLOP, ~1.6 TB from L2 at 137 GFLOP, ~6 TB/s at the goal of 0.6× torch: within
// L2 bandwidth. mma.sync (not wgmma) caps Hopper at roughly 2/3 of its dense peak; the fp32-operand
// variant doubles the L2 bytes.
#include "gemm_common.cuh"

// ------------------------------------------------------------------ entry points

#define SGEMM(NAME, AKM, BKM) \
    extern "C" __global__ void __launch_bounds__(256) NAME(GEMM_PARAMS) { sgemm_body<AKM, BKM>(GEMM_ARGS); }
SGEMM(sgemm_ak_bk, true, true)
SGEMM(sgemm_ak_bn, true, false)
SGEMM(sgemm_am_bk, false, true)
SGEMM(sgemm_am_bn, false, false)

#define TC_F32(NAME, AKM, BKM)                                                     \
    extern "C" __global__ void __launch_bounds__(256) NAME(GEMM_PARAMS) {          \
        gemm_tc_f32_body<128, AKM, BKM>(GEMM_ARGS);                                \
    }
TC_F32(gemm_tc_f32_ak_bk_128, true, true)
TC_F32(gemm_tc_f32_ak_bn_128, true, false)
TC_F32(gemm_tc_f32_am_bk_128, false, true)
TC_F32(gemm_tc_f32_am_bn_128, false, false)

// C(M, N) = alpha · Σ_s partial[s] (slices in order) + beta · C + bias: the second half of split-K.
extern "C" __global__ void gemm_splitk_reduce(float* c, const float* partial, const float* bias, int m, int n, int ldc,
                                              int splits, float alpha, float beta) {
    long long total = (long long)m * n;
    GRID_STRIDE(i, total) {
        int row = (int)(i / n), col = (int)(i % n);
        float s = 0.0f;
        for (int k = 0; k < splits; k++) s += partial[k * total + i];
        long long o = (long long)row * ldc + col;
        float v = alpha * s;
        if (beta != 0.0f) v += beta * c[o];
        if (bias != nullptr) v += bias[col];
        c[o] = v;
    }
}
