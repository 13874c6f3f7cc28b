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
