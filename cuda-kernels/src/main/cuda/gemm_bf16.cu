// Matrix products on bf16 operands (uint16 storage): the cp.async multi-stage tensor-core kernels,
// 128- and 256-wide tiles, every operand layout, and the fp32 → bf16 conversion that prepares their
// operands. The backend's products read fp32 tensors (gemm.cu); these are the peak-rate path the
// GEMM benchmark measures against torch.matmul, kept in their own module so that loading the backend
// does not JIT-compile them. Conventions and napkin math: gemm.cu.
#include "gemm_common.cuh"

// 128-wide tiles fit two blocks per SM (≤ 128 registers), 256-wide ones one (≤ 255).
#define TC_BF16(NAME, BN, STAGES, BK, FAST, AKM, BKM)                                           \
    extern "C" __global__ void __launch_bounds__(256, BN == 128 ? 2 : 1) NAME(GEMM_PARAMS) {   \
        gemm_tc_bf16_body<BN, STAGES, BK, FAST, AKM, BKM>(GEMM_ARGS);                          \
    }
// The configuration checked on the H200 (2026-11-28): 32-deep stages, checked loads everywhere.
TC_BF16(gemm_tc_bf16_ak_bk_128, 128, 4, 32, false, true, true)
TC_BF16(gemm_tc_bf16_ak_bn_128, 128, 4, 32, false, true, false)
TC_BF16(gemm_tc_bf16_am_bk_128, 128, 4, 32, false, false, true)
TC_BF16(gemm_tc_bf16_am_bn_128, 128, 4, 32, false, false, false)
TC_BF16(gemm_tc_bf16_ak_bk_256, 256, 3, 32, false, true, true)
TC_BF16(gemm_tc_bf16_ak_bn_256, 256, 3, 32, false, true, false)
TC_BF16(gemm_tc_bf16_am_bk_256, 256, 3, 32, false, false, true)
TC_BF16(gemm_tc_bf16_am_bn_256, 256, 3, 32, false, false, false)
// Candidates for the next measurement (benchmark variants; the backend does not use them yet):
// "_fast" skips bounds arithmetic in interior blocks; "_k64" also stages 64 deep (half the barriers
// and waits per FLOP). The Linear forward (ak_bk) and torch.matmul's layout (ak_bn).
TC_BF16(gemm_tc_bf16_ak_bk_128_fast, 128, 4, 32, true, true, true)
TC_BF16(gemm_tc_bf16_ak_bn_128_fast, 128, 4, 32, true, true, false)
TC_BF16(gemm_tc_bf16_ak_bk_128_k64, 128, 3, 64, true, true, true)
TC_BF16(gemm_tc_bf16_ak_bn_128_k64, 128, 3, 64, true, true, false)
TC_BF16(gemm_tc_bf16_ak_bk_256_k64, 256, 3, 64, true, true, true)
TC_BF16(gemm_tc_bf16_ak_bn_256_k64, 256, 3, 64, true, true, false)

// bf16 copy of an fp32 tensor (round to nearest even): operands for the bf16-input products.
extern "C" __global__ void convert_f32_bf16(uint16_t* out, const float* in, long long n) {
    GRID_STRIDE(i, n) {
        uint32_t packed = pack_bf16x2(in[i], 0.0f);
        out[i] = (uint16_t)(packed & 0xffffu);
    }
}

// ------------------------------------------------------------------ operand copies for the wgmma path
// The wgmma kernels (gemm_sm90.cu) take both operands k-major with rows padded to a multiple of 8
// elements; these make such copies from fp32 tensors, rounding to bf16 (nearest even) on the way.
// Memory-bound: 6 bytes per element (4 read, 2 written), ~3 µs for a 4096 × 768 activation.

// out (rows, ldOut) = bf16(in (rows, cols), row stride ldIn); columns cols..ldOut−1 are zero.
// ldOut is a multiple of 8; each thread writes 4 consecutive outputs (8 bytes).
extern "C" __global__ void convert_rows_f32_bf16(uint16_t* out, const float* in, int rows, int cols, int ldIn,
                                                 int ldOut) {
    int quads = ldOut / 4;
    long long total = (long long)rows * quads;
    bool vec = (ldIn & 3) == 0 && (((uintptr_t)in) & 15) == 0;
    GRID_STRIDE(i, total) {
        int r = (int)(i / quads), c = (int)(i % quads) * 4;
        const float* src = in + (long long)r * ldIn + c;
        float x0, x1, x2, x3;
        if (vec && c + 3 < cols) {
            float4 v = *reinterpret_cast<const float4*>(src);
            x0 = v.x, x1 = v.y, x2 = v.z, x3 = v.w;
        } else {
            x0 = c < cols ? src[0] : 0.0f;
            x1 = c + 1 < cols ? src[1] : 0.0f;
            x2 = c + 2 < cols ? src[2] : 0.0f;
            x3 = c + 3 < cols ? src[3] : 0.0f;
        }
        *reinterpret_cast<uint2*>(out + (long long)r * ldOut + c) = make_uint2(pack_bf16x2(x0, x1), pack_bf16x2(x2, x3));
    }
}

// out (cols, ldOut) = bf16(in (rows, cols)ᵀ), in's row stride ldIn; out columns rows..ldOut−1 are
// zero. 32 × 32 tiles through shared memory (a padded row keeps the column reads conflict-free):
// reads coalesced along in's rows, writes along out's. Grid (⌈cols/32⌉, ⌈ldOut/32⌉), block (32, 8).
extern "C" __global__ void transpose_f32_bf16(uint16_t* out, const float* in, int rows, int cols, int ldIn, int ldOut) {
    __shared__ float tile[32][33];
    int c0 = blockIdx.x * 32, r0 = blockIdx.y * 32;
#pragma unroll
    for (int j = 0; j < 4; j++) {
        int r = r0 + threadIdx.y + 8 * j, c = c0 + threadIdx.x;
        tile[threadIdx.y + 8 * j][threadIdx.x] = r < rows && c < cols ? in[(long long)r * ldIn + c] : 0.0f;
    }
    __syncthreads();
#pragma unroll
    for (int j = 0; j < 4; j++) {
        int c = c0 + threadIdx.y + 8 * j, r = r0 + threadIdx.x;
        if (c < cols && r < ldOut) {
            out[(long long)c * ldOut + r] = (uint16_t)(pack_bf16x2(tile[threadIdx.x][threadIdx.y + 8 * j], 0.0f) & 0xffffu);
        }
    }
}
