// Matrix products on Hopper's warpgroup tensor-core instructions (wgmma, sm_90a only): the fast path
// of the mixed-precision backend on compute capability 9.0. Its own module, compiled for
// compute_90a and loaded only there (Kernels.java); elsewhere the mma.sync kernels (gemm_bf16.cu) run.
//
// One product shape: C (M, N) = alpha · A · Bᵀ + beta · C + bias with A (M, K) and B (N, K) bf16,
// both k-major ("tn"; the backend's conversion kernels transpose other layouts while rounding to
// bf16), lda and ldb multiples of 8 (16-byte rows; the copies are padded with zeros to that).
// Batch and split-K through gridDim.z as in gemm.cu (same parameter block, GemmArgs).
//
// Block tile 128 × BN × 64 (BN 256 or 128), 256 threads = 2 warpgroups; warpgroup w computes rows
// 64w..64w+63 of the tile with one wgmma.m64nBNk16 per 16 k (4 per stage), accumulators in registers
// (BN/2 floats per thread). Operands reach shared memory by cp.async, 16-byte chunks, written in the
// layout wgmma reads with 128-byte swizzling: each tile row (one m or n index, 64 k values = 128
// bytes) is a 128-byte line, 8 lines form a 1024-byte atom, and chunk c of line r sits at chunk
// position c ^ (r mod 8) — the pattern TMA's SWIZZLE_128B writes, read through a descriptor with
// swizzle mode 1, stride between 8-line groups (SBO) 1024 bytes; the 16-element k steps inside a line
// advance the descriptor's start address by 32 bytes. Conflict-free: the 8 lines of an atom put any
// given chunk in 8 different bank groups.
//
// Pipeline (STAGES slots of 128·64 + BN·64 bf16): at step kt all threads wait for their own copies
// of stage kt, fence them into the async proxy (fence.proxy.async: wgmma reads shared memory through
// it), and meet at a barrier; then they start the copies of stage kt + STAGES − 2 into the slot of
// stage kt − 2, whose wgmmas every warpgroup completed before the barrier (wait_group 1 at the end of
// step kt − 1), and issue stage kt's wgmmas, which run while the next step's copies are in flight.
//
// Napkin math, 4096³ (137 GFLOP): at the goal of 0.6 × torch.matmul's ~790 TFLOP/s, 0.29 ms. A
// 128 × 256 × 64 stage is 48 KB of operands for 4.2 MFLOP: 87 FLOP/byte, so 0.29 ms needs ~5.5 TB/s
// from L2 into the SMs (grouped block order keeps the DRAM side to a few reads of each operand). One
// stage is ~0.55 µs of tensor-core work per SM, ~1000 cycles, which two stages of prefetch cover.
#include "gemm_common.cuh"

#define WG_BM 128
#define WG_BK 64                  // one 128-byte swizzle line of bf16 per tile row
#define WG_LINE 128               // bytes per tile row

// ------------------------------------------------------------------ PTX wrappers (sm_90a)

__device__ __forceinline__ void wgmma_fence() {
    asm volatile("wgmma.fence.sync.aligned;\n" ::: "memory");
}

__device__ __forceinline__ void wgmma_commit() {
    asm volatile("wgmma.commit_group.sync.aligned;\n" ::: "memory");
}

template <int N>
__device__ __forceinline__ void wgmma_wait() {
    asm volatile("wgmma.wait_group.sync.aligned %0;\n" ::"n"(N) : "memory");
}

// Makes this thread's completed shared-memory writes (cp.async included) visible to the async proxy.
__device__ __forceinline__ void fence_proxy_async_smem() {
    asm volatile("fence.proxy.async.shared::cta;\n" ::: "memory");
}

// Shared-memory matrix descriptor for a 128B-swizzled k-major tile starting at byte address addr:
// start >> 4 (bits 0–13), leading offset 1 (unused for swizzled k-major), stride 1024 >> 4 (bits
// 32–45), base offset 0 (atoms are 1024-byte aligned), swizzle mode 1 = 128B (bits 62–63).
__device__ __forceinline__ uint64_t wg_desc(uint32_t addr) {
    return (uint64_t)((addr & 0x3FFFF) >> 4) | ((uint64_t)1 << 16) | ((uint64_t)(1024 >> 4) << 32) | ((uint64_t)1 << 62);
}

// d (64 × 256, 128 fp32 per thread) += A (64 × 16, smem descriptor) · B (256 × 16, smem descriptor)ᵀ
__device__ __forceinline__ void wgmma_m64n256k16(float (&d)[128], uint64_t descA, uint64_t descB) {
    asm volatile(
        "{\n"
        "wgmma.mma_async.sync.aligned.m64n256k16.f32.bf16.bf16 "
        "{%0, %1, %2, %3, %4, %5, %6, %7, %8, %9, %10, %11, %12, %13, %14, %15,"
        " %16, %17, %18, %19, %20, %21, %22, %23, %24, %25, %26, %27, %28, %29, %30, %31,"
        " %32, %33, %34, %35, %36, %37, %38, %39, %40, %41, %42, %43, %44, %45, %46, %47,"
        " %48, %49, %50, %51, %52, %53, %54, %55, %56, %57, %58, %59, %60, %61, %62, %63,"
        " %64, %65, %66, %67, %68, %69, %70, %71, %72, %73, %74, %75, %76, %77, %78, %79,"
        " %80, %81, %82, %83, %84, %85, %86, %87, %88, %89, %90, %91, %92, %93, %94, %95,"
        " %96, %97, %98, %99, %100, %101, %102, %103, %104, %105, %106, %107, %108, %109, %110, %111,"
        " %112, %113, %114, %115, %116, %117, %118, %119, %120, %121, %122, %123, %124, %125, %126, %127},"
        " %128, %129, 1, 1, 1, 0, 0;\n"
        "}\n"
        : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3]), "+f"(d[4]), "+f"(d[5]), "+f"(d[6]), "+f"(d[7]),
          "+f"(d[8]), "+f"(d[9]), "+f"(d[10]), "+f"(d[11]), "+f"(d[12]), "+f"(d[13]), "+f"(d[14]), "+f"(d[15]),
          "+f"(d[16]), "+f"(d[17]), "+f"(d[18]), "+f"(d[19]), "+f"(d[20]), "+f"(d[21]), "+f"(d[22]), "+f"(d[23]),
          "+f"(d[24]), "+f"(d[25]), "+f"(d[26]), "+f"(d[27]), "+f"(d[28]), "+f"(d[29]), "+f"(d[30]), "+f"(d[31]),
          "+f"(d[32]), "+f"(d[33]), "+f"(d[34]), "+f"(d[35]), "+f"(d[36]), "+f"(d[37]), "+f"(d[38]), "+f"(d[39]),
          "+f"(d[40]), "+f"(d[41]), "+f"(d[42]), "+f"(d[43]), "+f"(d[44]), "+f"(d[45]), "+f"(d[46]), "+f"(d[47]),
          "+f"(d[48]), "+f"(d[49]), "+f"(d[50]), "+f"(d[51]), "+f"(d[52]), "+f"(d[53]), "+f"(d[54]), "+f"(d[55]),
          "+f"(d[56]), "+f"(d[57]), "+f"(d[58]), "+f"(d[59]), "+f"(d[60]), "+f"(d[61]), "+f"(d[62]), "+f"(d[63]),
          "+f"(d[64]), "+f"(d[65]), "+f"(d[66]), "+f"(d[67]), "+f"(d[68]), "+f"(d[69]), "+f"(d[70]), "+f"(d[71]),
          "+f"(d[72]), "+f"(d[73]), "+f"(d[74]), "+f"(d[75]), "+f"(d[76]), "+f"(d[77]), "+f"(d[78]), "+f"(d[79]),
          "+f"(d[80]), "+f"(d[81]), "+f"(d[82]), "+f"(d[83]), "+f"(d[84]), "+f"(d[85]), "+f"(d[86]), "+f"(d[87]),
          "+f"(d[88]), "+f"(d[89]), "+f"(d[90]), "+f"(d[91]), "+f"(d[92]), "+f"(d[93]), "+f"(d[94]), "+f"(d[95]),
          "+f"(d[96]), "+f"(d[97]), "+f"(d[98]), "+f"(d[99]), "+f"(d[100]), "+f"(d[101]), "+f"(d[102]), "+f"(d[103]),
          "+f"(d[104]), "+f"(d[105]), "+f"(d[106]), "+f"(d[107]), "+f"(d[108]), "+f"(d[109]), "+f"(d[110]), "+f"(d[111]),
          "+f"(d[112]), "+f"(d[113]), "+f"(d[114]), "+f"(d[115]), "+f"(d[116]), "+f"(d[117]), "+f"(d[118]), "+f"(d[119]),
          "+f"(d[120]), "+f"(d[121]), "+f"(d[122]), "+f"(d[123]), "+f"(d[124]), "+f"(d[125]), "+f"(d[126]), "+f"(d[127])
        : "l"(descA), "l"(descB));
}

// d (64 × 128, 64 fp32 per thread) += A (64 × 16, smem descriptor) · B (128 × 16, smem descriptor)ᵀ
__device__ __forceinline__ void wgmma_m64n128k16(float (&d)[64], uint64_t descA, uint64_t descB) {
    asm volatile(
        "{\n"
        "wgmma.mma_async.sync.aligned.m64n128k16.f32.bf16.bf16 "
        "{%0, %1, %2, %3, %4, %5, %6, %7, %8, %9, %10, %11, %12, %13, %14, %15,"
        " %16, %17, %18, %19, %20, %21, %22, %23, %24, %25, %26, %27, %28, %29, %30, %31,"
        " %32, %33, %34, %35, %36, %37, %38, %39, %40, %41, %42, %43, %44, %45, %46, %47,"
        " %48, %49, %50, %51, %52, %53, %54, %55, %56, %57, %58, %59, %60, %61, %62, %63},"
        " %64, %65, 1, 1, 1, 0, 0;\n"
        "}\n"
        : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3]), "+f"(d[4]), "+f"(d[5]), "+f"(d[6]), "+f"(d[7]),
          "+f"(d[8]), "+f"(d[9]), "+f"(d[10]), "+f"(d[11]), "+f"(d[12]), "+f"(d[13]), "+f"(d[14]), "+f"(d[15]),
          "+f"(d[16]), "+f"(d[17]), "+f"(d[18]), "+f"(d[19]), "+f"(d[20]), "+f"(d[21]), "+f"(d[22]), "+f"(d[23]),
          "+f"(d[24]), "+f"(d[25]), "+f"(d[26]), "+f"(d[27]), "+f"(d[28]), "+f"(d[29]), "+f"(d[30]), "+f"(d[31]),
          "+f"(d[32]), "+f"(d[33]), "+f"(d[34]), "+f"(d[35]), "+f"(d[36]), "+f"(d[37]), "+f"(d[38]), "+f"(d[39]),
          "+f"(d[40]), "+f"(d[41]), "+f"(d[42]), "+f"(d[43]), "+f"(d[44]), "+f"(d[45]), "+f"(d[46]), "+f"(d[47]),
          "+f"(d[48]), "+f"(d[49]), "+f"(d[50]), "+f"(d[51]), "+f"(d[52]), "+f"(d[53]), "+f"(d[54]), "+f"(d[55]),
          "+f"(d[56]), "+f"(d[57]), "+f"(d[58]), "+f"(d[59]), "+f"(d[60]), "+f"(d[61]), "+f"(d[62]), "+f"(d[63])
        : "l"(descA), "l"(descB));
}

template <int BN>
__device__ __forceinline__ void wgmma_tile(float (&d)[BN / 2], uint64_t descA, uint64_t descB);
template <>
__device__ __forceinline__ void wgmma_tile<256>(float (&d)[128], uint64_t descA, uint64_t descB) {
    wgmma_m64n256k16(d, descA, descB);
}
template <>
__device__ __forceinline__ void wgmma_tile<128>(float (&d)[64], uint64_t descA, uint64_t descB) {
    wgmma_m64n128k16(d, descA, descB);
}

// ------------------------------------------------------------------ the kernel

// Async copy of one operand tile (ROWS rows × 64 k, k-major source) into its swizzled slot: 8 chunks
// of 16 bytes per row, 8 consecutive threads per row (128 contiguous bytes of global memory). Rows
// outside the matrix and chunks past kEnd are zero-filled (kEnd is a multiple of 8: whole chunks).
template <int ROWS>
__device__ __forceinline__ void wg_load_tile(uint32_t tile, const uint16_t* src, int ld, int rowsTotal, int r0, int k0,
                                             int kEnd) {
#pragma unroll
    for (int i = 0; i < ROWS * 8 / 256; i++) {
        int q = threadIdx.x + 256 * i, row = q >> 3, chunk = q & 7;
        int gr = r0 + row, gk = k0 + chunk * 8;
        bool inside = gr < rowsTotal && gk < kEnd;
        const uint16_t* p = inside ? src + (long long)gr * ld + gk : src;
        cp_async16(tile + row * WG_LINE + ((chunk ^ (row & 7)) << 4), p, inside ? 16 : 0);
    }
}

// Grouped block order: blocks that run together share a band of 8 row tiles of A and sweep the
// column tiles of B, so each operand is re-read from DRAM a few times, not once per block row.
__device__ __forceinline__ void wg_tile_coords(int& tileM, int& tileN) {
    const int GROUP = 8;
    int tilesN = gridDim.x, tilesM = gridDim.y;
    int id = blockIdx.y * tilesN + blockIdx.x;
    int perGroup = GROUP * tilesN, first = (id / perGroup) * GROUP;
    int rows = min(tilesM - first, GROUP);
    tileM = first + (id % perGroup) % rows;
    tileN = (id % perGroup) / rows;
}

template <int BN, int STAGES>
__device__ __forceinline__ void gemm_wg_body(const GemmArgs& g) {
    extern __shared__ __align__(16) uint8_t wgsmem[];
    constexpr int TILE_A = WG_BM * WG_LINE, STAGE = TILE_A + BN * WG_LINE;   // bytes
    if (!tc_smem_ok(STAGES * STAGE + 1024, g.err)) return;
    uint32_t base = (smem_u32(wgsmem) + 1023) & ~1023u;   // swizzle atoms must be 1024-byte aligned
    const uint16_t *a, *b;
    float* c;
    int kBegin, kEnd;
    gemm_block_setup<uint16_t>(g, a, b, c, kBegin, kEnd);
    int tileM, tileN;
    wg_tile_coords(tileM, tileN);
    int m0 = tileM * WG_BM, n0 = tileN * BN;
    int wg = threadIdx.x >> 7;   // warpgroup: rows 64·wg.. of the tile

    float d[BN / 2];
#pragma unroll
    for (int i = 0; i < BN / 2; i++) d[i] = 0.0f;

    int tiles = (kEnd - kBegin + WG_BK - 1) / WG_BK;
    auto loadStage = [&](int tile) {
        uint32_t slot = base + (tile % STAGES) * STAGE;
        int k0 = kBegin + tile * WG_BK;
        wg_load_tile<WG_BM>(slot, a, g.lda, g.m, m0, k0, kEnd);
        wg_load_tile<BN>(slot + TILE_A, b, g.ldb, g.n, n0, k0, kEnd);
    };
#pragma unroll
    for (int s = 0; s < STAGES - 2; s++) {
        if (s < tiles) loadStage(s);
        cp_async_commit();
    }
    for (int kt = 0; kt < tiles; kt++) {
        cp_async_wait<STAGES - 3>();   // this thread's copies of stage kt have landed
        fence_proxy_async_smem();
        __syncthreads();               // everyone's have; stage kt − 2's wgmmas are complete everywhere
        int pf = kt + STAGES - 2;
        if (pf < tiles) loadStage(pf);
        cp_async_commit();
        uint32_t slot = base + (kt % STAGES) * STAGE;
        uint32_t aRows = slot + wg * 64 * WG_LINE, bRows = slot + TILE_A;
        wgmma_fence();
#pragma unroll
        for (int k = 0; k < WG_BK / 16; k++) wgmma_tile<BN>(d, wg_desc(aRows + 32 * k), wg_desc(bRows + 32 * k));
        wgmma_commit();
        wgmma_wait<1>();   // stage kt − 1's wgmmas are done: its slot may be refilled after the next barrier
    }
    wgmma_wait<0>();
    cp_async_wait<0>();

    // Accumulator layout of wgmma.m64nN (f32): warp w of the warpgroup holds rows 16w + lane/4 and
    // 16w + lane/4 + 8; for each 8-column group j, d[4j..4j+3] are (row, 2·(lane%4)), (row, +1),
    // (row + 8, 2·(lane%4)), (row + 8, +1).
    int lane = threadIdx.x & 31, warp = (threadIdx.x >> 5) & 3;
    int row = m0 + wg * 64 + warp * 16 + (lane >> 2);
#pragma unroll
    for (int j = 0; j < BN / 8; j++) {
        int col = n0 + j * 8 + (lane & 3) * 2;
        gemm_store(g, c, row, col, d[4 * j]);
        gemm_store(g, c, row, col + 1, d[4 * j + 1]);
        gemm_store(g, c, row + 8, col, d[4 * j + 2]);
        gemm_store(g, c, row + 8, col + 1, d[4 * j + 3]);
    }
}

// Shared memory: STAGES · (128 + BN) · 128 bytes + 1024 for alignment (OwnGemm.java mirrors it):
// 256-wide tiles 4 stages = 197 632 bytes (one block per SM); 128-wide 3 stages = 99 328 (two per SM).
extern "C" __global__ void __launch_bounds__(256, 1) gemm_wg_tn_256(GEMM_PARAMS) {
    gemm_wg_body<256, 4>(GEMM_ARGS);
}
extern "C" __global__ void __launch_bounds__(256, 2) gemm_wg_tn_128(GEMM_PARAMS) {
    gemm_wg_body<128, 3>(GEMM_ARGS);
}
