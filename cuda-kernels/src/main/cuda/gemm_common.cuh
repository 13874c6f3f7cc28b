// The pieces of the matrix-product kernels shared by gemm.cu (the products the backend runs) and
// gemm_bf16.cu (bf16-operand products for benchmarks): PTX wrappers, argument block, the SIMT body,
// the tensor-core loaders, k-step and epilogue. See gemm.cu for the operand conventions.
#pragma once
#include "common.cuh"


// ------------------------------------------------------------------ PTX wrappers

__device__ __forceinline__ uint32_t smem_u32(const void* p) {
    return (uint32_t)__cvta_generic_to_shared(p);
}

// 16-byte async copy global → shared; bytes < 16 zero-fills the rest (0: a pure zero fill).
__device__ __forceinline__ void cp_async16(uint32_t dst, const void* src, int bytes) {
    asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;\n" ::"r"(dst), "l"(src), "r"(bytes) : "memory");
}

__device__ __forceinline__ void cp_async_commit() {
    asm volatile("cp.async.commit_group;\n" ::: "memory");
}

template <int N>
__device__ __forceinline__ void cp_async_wait() {
    asm volatile("cp.async.wait_group %0;\n" ::"n"(N) : "memory");
}

__device__ __forceinline__ void ldmatrix_x4(uint32_t (&r)[4], uint32_t addr) {
    asm volatile("ldmatrix.sync.aligned.m8n8.x4.shared.b16 {%0, %1, %2, %3}, [%4];\n"
                 : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
                 : "r"(addr)
                 : "memory");
}

__device__ __forceinline__ void ldmatrix_x4_trans(uint32_t (&r)[4], uint32_t addr) {
    asm volatile("ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16 {%0, %1, %2, %3}, [%4];\n"
                 : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
                 : "r"(addr)
                 : "memory");
}

// d += a · b for one 16×8×16 bf16 tile, fp32 accumulators.
__device__ __forceinline__ void mma_bf16_16816(float (&d)[4], const uint32_t (&a)[4], uint32_t b0, uint32_t b1) {
    asm volatile(
        "mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0, %1, %2, %3}, {%4, %5, %6, %7}, {%8, %9}, "
        "{%0, %1, %2, %3};\n"
        : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
        : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
}

// ------------------------------------------------------------------ shared pieces

struct GemmArgs {
    float* c;
    const void* a;
    const void* b;
    const float* bias;
    int m, n, k, lda, ldb, ldc;
    long long strideA, strideB, strideC, splitStrideC;
    int splits, kChunk;
    float alpha, beta;
    int vecA, vecB;   // fp32 operands: ld and strides are multiples of 4 (float4 loads allowed)
    int* err;
};

// Resolves this block's batch and K slice: offsets a, b, c and returns [kBegin, kEnd).
template <typename T>
__device__ __forceinline__ void gemm_block_setup(const GemmArgs& g, const T*& a, const T*& b, float*& c, int& kBegin,
                                                 int& kEnd) {
    int z = blockIdx.z, batch = z / g.splits, split = z % g.splits;
    a = reinterpret_cast<const T*>(g.a) + batch * g.strideA;
    b = reinterpret_cast<const T*>(g.b) + batch * g.strideB;
    c = g.c + batch * g.strideC + split * g.splitStrideC;
    kBegin = split * g.kChunk;
    kEnd = min(g.k, kBegin + g.kChunk);
}

__device__ __forceinline__ void gemm_store(const GemmArgs& g, float* c, int row, int col, float acc) {
    if (row >= g.m || col >= g.n) return;
    long long i = (long long)row * g.ldc + col;
    float v = g.alpha * acc;
    if (g.beta != 0.0f) v += g.beta * c[i];
    if (g.bias != nullptr) v += g.bias[col];
    c[i] = v;
}

// ------------------------------------------------------------------ fp32 SIMT

#define SG_BM 128
#define SG_BN 128
#define SG_BK 8
#define SG_PAD 4

template <bool A_KM, bool B_KM>
__device__ __forceinline__ void sgemm_body(const GemmArgs& g) {
    __shared__ __align__(16) float As[2][SG_BK][SG_BM + SG_PAD];
    __shared__ __align__(16) float Bs[2][SG_BK][SG_BN + SG_PAD];
    const float *a, *b;
    float* c;
    int kBegin, kEnd;
    gemm_block_setup<float>(g, a, b, c, kBegin, kEnd);
    int tid = threadIdx.x, tx = tid & 15, ty = tid >> 4;
    int m0 = blockIdx.y * SG_BM, n0 = blockIdx.x * SG_BN;

    // 1024 elements of each tile, 4 per thread; consecutive threads read consecutive addresses
    float ra[4], rb[4];
    auto load = [&](int k0) {
#pragma unroll
        for (int e = 0; e < 4; e++) {
            int q = tid + 256 * e;
            int mm = A_KM ? q / SG_BK : q % SG_BM, kk = A_KM ? q % SG_BK : q / SG_BM;
            int gm = m0 + mm, gk = k0 + kk;
            ra[e] = (gm < g.m && gk < kEnd) ? a[A_KM ? (long long)gm * g.lda + gk : (long long)gk * g.lda + gm] : 0.0f;
            int nn = B_KM ? q / SG_BK : q % SG_BN, kb = B_KM ? q % SG_BK : q / SG_BN;
            int gn = n0 + nn, gkb = k0 + kb;
            rb[e] = (gn < g.n && gkb < kEnd) ? b[B_KM ? (long long)gn * g.ldb + gkb : (long long)gkb * g.ldb + gn] : 0.0f;
        }
    };
    auto store = [&](int buf) {
#pragma unroll
        for (int e = 0; e < 4; e++) {
            int q = tid + 256 * e;
            int mm = A_KM ? q / SG_BK : q % SG_BM, kk = A_KM ? q % SG_BK : q / SG_BM;
            As[buf][kk][mm] = ra[e];
            int nn = B_KM ? q / SG_BK : q % SG_BN, kb = B_KM ? q % SG_BK : q / SG_BN;
            Bs[buf][kb][nn] = rb[e];
        }
    };

    float acc[8][8];
#pragma unroll
    for (int i = 0; i < 8; i++)
#pragma unroll
        for (int j = 0; j < 8; j++) acc[i][j] = 0.0f;

    load(kBegin);
    store(0);
    __syncthreads();
    int tiles = (kEnd - kBegin + SG_BK - 1) / SG_BK;
    for (int kt = 0; kt < tiles; kt++) {
        int buf = kt & 1;
        bool next = kt + 1 < tiles;
        if (next) load(kBegin + (kt + 1) * SG_BK);
#pragma unroll
        for (int kk = 0; kk < SG_BK; kk++) {
            float4 a0 = *reinterpret_cast<const float4*>(&As[buf][kk][ty * 4]);
            float4 a1 = *reinterpret_cast<const float4*>(&As[buf][kk][64 + ty * 4]);
            float4 b0 = *reinterpret_cast<const float4*>(&Bs[buf][kk][tx * 4]);
            float4 b1 = *reinterpret_cast<const float4*>(&Bs[buf][kk][64 + tx * 4]);
            float av[8] = {a0.x, a0.y, a0.z, a0.w, a1.x, a1.y, a1.z, a1.w};
            float bv[8] = {b0.x, b0.y, b0.z, b0.w, b1.x, b1.y, b1.z, b1.w};
#pragma unroll
            for (int i = 0; i < 8; i++)
#pragma unroll
                for (int j = 0; j < 8; j++) acc[i][j] += av[i] * bv[j];
        }
        if (next) store(buf ^ 1);
        __syncthreads();
    }
#pragma unroll
    for (int i = 0; i < 8; i++) {
        int row = m0 + (i < 4 ? ty * 4 + i : 64 + ty * 4 + i - 4);
#pragma unroll
        for (int j = 0; j < 8; j++) {
            int col = n0 + (j < 4 ? tx * 4 + j : 64 + tx * 4 + j - 4);
            gemm_store(g, c, row, col, acc[i][j]);
        }
    }
}

// ------------------------------------------------------------------ bf16 tensor cores

#define TC_BM 128
#define TC_BK 32                  // k depth of a stage (the fp32-operand kernels; bf16 ones take BK 32 or 64)
#define TC_KSTRIDE (TC_BK + 8)   // row stride (bf16) of a k-major tile: 80 bytes

// Shared memory per stage (bf16 elements) for operand rows R and stage depth BK: sized for the
// larger, k-major layout (R·(BK+8) ≥ BK·(R+8) for BK ≤ R). OwnGemm.java mirrors:
// stages · (128 + BN) · (BK + 8) · 2 bytes. Rows of BK+8 elements (80 or 144 bytes: 5 or 9 16-byte
// units, odd) put the 8 rows an ldmatrix phase reads in 8 distinct bank groups.
__host__ __device__ constexpr int tc_tile_elems(int rows, int bk = TC_BK) {
    return rows * (bk + 8);
}

// Async copy of one operand tile (ROWS m-or-n rows × BK k) of bf16 into shared memory.
// KM: stored [row][k] → smem [row][BK + 8]; else stored [k][row] → smem [k][ROWS + 8].
// FULL: the tile lies wholly inside the matrix and the K slice (no bounds arithmetic).
template <int ROWS, bool KM, int BK = TC_BK, bool FULL = false>
__device__ __forceinline__ void tc_load_async(uint16_t* tile, const uint16_t* src, int ld, int rowsTotal, int r0,
                                              int k0, int kEnd) {
    if (KM) {
        constexpr int PER_ROW = BK / 8, CHUNKS = ROWS * PER_ROW;
#pragma unroll
        for (int q = threadIdx.x; q < CHUNKS; q += 256) {
            int row = q / PER_ROW, kc = q % PER_ROW;
            int gr = r0 + row, gk = k0 + kc * 8;
            uint32_t dst = smem_u32(tile + row * (BK + 8) + kc * 8);
            if (FULL) {
                cp_async16(dst, src + (long long)gr * ld + gk, 16);
            } else {
                int valid = gr < rowsTotal ? max(0, min(8, kEnd - gk)) : 0;
                const uint16_t* p = valid > 0 ? src + (long long)gr * ld + gk : src;
                cp_async16(dst, p, valid * 2);
            }
        }
    } else {
        constexpr int PER_ROW = ROWS / 8, CHUNKS = BK * PER_ROW;
#pragma unroll
        for (int q = threadIdx.x; q < CHUNKS; q += 256) {
            int kr = q / PER_ROW, rc = q % PER_ROW;
            int gk = k0 + kr, gr = r0 + rc * 8;
            uint32_t dst = smem_u32(tile + kr * (ROWS + 8) + rc * 8);
            if (FULL) {
                cp_async16(dst, src + (long long)gk * ld + gr, 16);
            } else {
                int valid = gk < kEnd ? max(0, min(8, rowsTotal - gr)) : 0;
                const uint16_t* p = valid > 0 ? src + (long long)gk * ld + gr : src;
                cp_async16(dst, p, valid * 2);
            }
        }
    }
}

// Register-staged load of one fp32 operand tile: CHUNKS = ROWS·32/4 float4 chunks, 256 threads.
template <int ROWS, bool KM>
struct F32Stage {
    static constexpr int PER_THREAD = ROWS * TC_BK / 4 / 256;
    float4 v[PER_THREAD];

    __device__ __forceinline__ void load(const float* src, int ld, int rowsTotal, int r0, int k0, int kEnd, bool vec) {
#pragma unroll
        for (int e = 0; e < PER_THREAD; e++) {
            int q = threadIdx.x + 256 * e;
            // KM: chunk = (row, 4 consecutive k); else (k row, 4 consecutive m/n)
            int row, kk;
            if (KM) {
                row = q >> 3;
                kk = (q & 7) * 4;
            } else {
                kk = q / (ROWS / 4);
                row = (q % (ROWS / 4)) * 4;
            }
            int gr = r0 + row, gk = k0 + kk;
            float4 x = make_float4(0.0f, 0.0f, 0.0f, 0.0f);
            if (KM) {
                if (gr < rowsTotal) {
                    const float* p = src + (long long)gr * ld + gk;
                    if (vec && gk + 4 <= kEnd) {
                        x = __ldg(reinterpret_cast<const float4*>(p));
                    } else {
                        if (gk < kEnd) x.x = p[0];
                        if (gk + 1 < kEnd) x.y = p[1];
                        if (gk + 2 < kEnd) x.z = p[2];
                        if (gk + 3 < kEnd) x.w = p[3];
                    }
                }
            } else {
                if (gk < kEnd) {
                    const float* p = src + (long long)gk * ld + gr;
                    if (vec && gr + 4 <= rowsTotal) {
                        x = __ldg(reinterpret_cast<const float4*>(p));
                    } else {
                        if (gr < rowsTotal) x.x = p[0];
                        if (gr + 1 < rowsTotal) x.y = p[1];
                        if (gr + 2 < rowsTotal) x.z = p[2];
                        if (gr + 3 < rowsTotal) x.w = p[3];
                    }
                }
            }
            v[e] = x;
        }
    }

    // Rounds to bf16 and writes 8 bytes per chunk, in the same shared layout as tc_load_async.
    __device__ __forceinline__ void store(uint16_t* tile) const {
#pragma unroll
        for (int e = 0; e < PER_THREAD; e++) {
            int q = threadIdx.x + 256 * e;
            uint16_t* dst;
            if (KM) {
                dst = tile + (q >> 3) * TC_KSTRIDE + (q & 7) * 4;
            } else {
                dst = tile + (q / (ROWS / 4)) * (ROWS + 8) + (q % (ROWS / 4)) * 4;
            }
            uint2 packed = make_uint2(pack_bf16x2(v[e].x, v[e].y), pack_bf16x2(v[e].z, v[e].w));
            *reinterpret_cast<uint2*>(dst) = packed;
        }
    }
};

// One BK-deep stage of a warp's 64 × (BN/4) tile: BK/16 k16 steps, 4 m16 × NI n8 mma each.
template <int BN, int BK, bool A_KM, bool B_KM>
__device__ __forceinline__ void tc_compute_stage(float (&acc)[4][BN / 32][4], const uint16_t* As, const uint16_t* Bs,
                                                 int warpM, int warpN, int lane) {
    constexpr int NI = BN / 32;   // n8 tiles per warp
    constexpr int KS = BK + 8;    // k-major row stride
#pragma unroll
    for (int ks = 0; ks < BK; ks += 16) {
        uint32_t af[4][4];
#pragma unroll
        for (int mi = 0; mi < 4; mi++) {
            int m = warpM * 64 + mi * 16;
            if (A_KM) {
                ldmatrix_x4(af[mi], smem_u32(As + (m + (lane & 15)) * KS + ks + (lane >> 4) * 8));
            } else {
                int i = lane >> 3;
                ldmatrix_x4_trans(af[mi],
                                  smem_u32(As + (ks + (lane & 7) + (i >> 1) * 8) * (TC_BM + 8) + m + (i & 1) * 8));
            }
        }
        uint32_t bfr[NI][2];
#pragma unroll
        for (int nj = 0; nj < NI / 2; nj++) {
            int n = warpN * (BN / 4) + nj * 16, i = lane >> 3;
            uint32_t r[4];
            if (B_KM) {
                ldmatrix_x4(r, smem_u32(Bs + (n + (lane & 7) + (i >> 1) * 8) * KS + ks + (i & 1) * 8));
            } else {
                ldmatrix_x4_trans(r, smem_u32(Bs + (ks + (lane & 7) + (i & 1) * 8) * (BN + 8) + n + (i >> 1) * 8));
            }
            bfr[2 * nj][0] = r[0];
            bfr[2 * nj][1] = r[1];
            bfr[2 * nj + 1][0] = r[2];
            bfr[2 * nj + 1][1] = r[3];
        }
#pragma unroll
        for (int mi = 0; mi < 4; mi++)
#pragma unroll
            for (int ni = 0; ni < NI; ni++) mma_bf16_16816(acc[mi][ni], af[mi], bfr[ni][0], bfr[ni][1]);
    }
}

template <int BN>
__device__ __forceinline__ void tc_epilogue(const GemmArgs& g, float* c, float (&acc)[4][BN / 32][4], int m0, int n0,
                                            int warpM, int warpN, int lane) {
#pragma unroll
    for (int mi = 0; mi < 4; mi++)
#pragma unroll
        for (int ni = 0; ni < BN / 32; ni++) {
            int row = m0 + warpM * 64 + mi * 16 + (lane >> 2);
            int col = n0 + warpN * (BN / 4) + ni * 8 + (lane & 3) * 2;
            gemm_store(g, c, row, col, acc[mi][ni][0]);
            gemm_store(g, c, row, col + 1, acc[mi][ni][1]);
            gemm_store(g, c, row + 8, col, acc[mi][ni][2]);
            gemm_store(g, c, row + 8, col + 1, acc[mi][ni][3]);
        }
}

// A launch with less shared memory than the kernel's layout needs is refused (reported, no trap:
// a trap would poison the whole context).
__device__ __forceinline__ bool tc_smem_ok(unsigned need, int* err) {
    if (dynamic_smem_size() >= need) return true;
    if (threadIdx.x == 0) report_error(err, ERR_SMEM, (int)dynamic_smem_size(), (int)need);
    return false;
}

// bf16 operands, STAGES-deep cp.async pipeline, BK-deep stages. Requires lda, ldb, strides multiples
// of 8 (16-byte aligned chunks); the host checks. FAST: blocks wholly inside the matrix load full
// stages without bounds arithmetic (the edge blocks and the K tail keep the checked loader).
template <int BN, int STAGES, int BK, bool FAST, bool A_KM, bool B_KM>
__device__ __forceinline__ void gemm_tc_bf16_body(const GemmArgs& g) {
    extern __shared__ __align__(16) uint16_t tcsmem[];
    constexpr int TILE_A = tc_tile_elems(TC_BM, BK), STAGE = TILE_A + tc_tile_elems(BN, BK);
    if (!tc_smem_ok(STAGES * STAGE * 2, g.err)) return;
    const uint16_t *a, *b;
    float* c;
    int kBegin, kEnd;
    gemm_block_setup<uint16_t>(g, a, b, c, kBegin, kEnd);
    int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warpM = warp >> 2, warpN = warp & 3;
    int m0 = blockIdx.y * TC_BM, n0 = blockIdx.x * BN;
    bool interior = FAST && m0 + TC_BM <= g.m && n0 + BN <= g.n;

    float acc[4][BN / 32][4];
#pragma unroll
    for (int mi = 0; mi < 4; mi++)
#pragma unroll
        for (int ni = 0; ni < BN / 32; ni++)
#pragma unroll
            for (int e = 0; e < 4; e++) acc[mi][ni][e] = 0.0f;

    int tiles = (kEnd - kBegin + BK - 1) / BK;
    auto loadStage = [&](int slot, int tile) {
        uint16_t* As = tcsmem + slot * STAGE;
        uint16_t* Bs = As + TILE_A;
        int k0 = kBegin + tile * BK;
        if (FAST && interior && k0 + BK <= kEnd) {
            tc_load_async<TC_BM, A_KM, BK, FAST>(As, a, g.lda, g.m, m0, k0, kEnd);
            tc_load_async<BN, B_KM, BK, FAST>(Bs, b, g.ldb, g.n, n0, k0, kEnd);
        } else {
            tc_load_async<TC_BM, A_KM, BK, false>(As, a, g.lda, g.m, m0, k0, kEnd);
            tc_load_async<BN, B_KM, BK, false>(Bs, b, g.ldb, g.n, n0, k0, kEnd);
        }
    };
#pragma unroll
    for (int s = 0; s < STAGES - 1; s++) {
        if (s < tiles) loadStage(s, s);
        cp_async_commit();
    }
    for (int kt = 0; kt < tiles; kt++) {
        cp_async_wait<STAGES - 2>();
        __syncthreads();   // tile kt visible to all; slot (kt − 1) % STAGES free again
        int pf = kt + STAGES - 1;
        if (pf < tiles) loadStage(pf % STAGES, pf);
        cp_async_commit();
        const uint16_t* As = tcsmem + (kt % STAGES) * STAGE;
        tc_compute_stage<BN, BK, A_KM, B_KM>(acc, As, As + TILE_A, warpM, warpN, lane);
    }
    cp_async_wait<0>();
    tc_epilogue<BN>(g, c, acc, m0, n0, warpM, warpN, lane);
}

// fp32 operands rounded to bf16 while staging through registers; two shared buffers.
template <int BN, bool A_KM, bool B_KM>
__device__ __forceinline__ void gemm_tc_f32_body(const GemmArgs& g) {
    extern __shared__ __align__(16) uint16_t tcsmem[];
    constexpr int STAGE = tc_tile_elems(TC_BM) + tc_tile_elems(BN);
    if (!tc_smem_ok(2 * STAGE * 2, g.err)) return;
    const float *a, *b;
    float* c;
    int kBegin, kEnd;
    gemm_block_setup<float>(g, a, b, c, kBegin, kEnd);
    int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warpM = warp >> 2, warpN = warp & 3;
    int m0 = blockIdx.y * TC_BM, n0 = blockIdx.x * BN;

    float acc[4][BN / 32][4];
#pragma unroll
    for (int mi = 0; mi < 4; mi++)
#pragma unroll
        for (int ni = 0; ni < BN / 32; ni++)
#pragma unroll
            for (int e = 0; e < 4; e++) acc[mi][ni][e] = 0.0f;

    F32Stage<TC_BM, A_KM> sa;
    F32Stage<BN, B_KM> sb;
    int tiles = (kEnd - kBegin + TC_BK - 1) / TC_BK;
    sa.load(a, g.lda, g.m, m0, kBegin, kEnd, g.vecA);
    sb.load(b, g.ldb, g.n, n0, kBegin, kEnd, g.vecB);
    sa.store(tcsmem);
    sb.store(tcsmem + tc_tile_elems(TC_BM));
    __syncthreads();
    for (int kt = 0; kt < tiles; kt++) {
        bool next = kt + 1 < tiles;
        if (next) {
            int k0 = kBegin + (kt + 1) * TC_BK;
            sa.load(a, g.lda, g.m, m0, k0, kEnd, g.vecA);   // in flight during this stage's mma
            sb.load(b, g.ldb, g.n, n0, k0, kEnd, g.vecB);
        }
        const uint16_t* As = tcsmem + (kt & 1) * STAGE;
        tc_compute_stage<BN, TC_BK, A_KM, B_KM>(acc, As, As + tc_tile_elems(TC_BM), warpM, warpN, lane);
        if (next) {
            uint16_t* Ns = tcsmem + ((kt + 1) & 1) * STAGE;
            sa.store(Ns);
            sb.store(Ns + tc_tile_elems(TC_BM));
        }
        __syncthreads();
    }
    tc_epilogue<BN>(g, c, acc, m0, n0, warpM, warpN, lane);
}


// Kernel parameter list and the GemmArgs built from it, shared by every entry point.
#define GEMM_PARAMS                                                                                                  \
    float *c, const void *a, const void *b, const float *bias, int m, int n, int k, int lda, int ldb, int ldc,       \
        long long strideA, long long strideB, long long strideC, long long splitStrideC, int splits, int kChunk,     \
        float alpha, float beta, int vecA, int vecB, int *err
#define GEMM_ARGS                                                                                             \
    GemmArgs {                                                                                                \
        c, a, b, bias, m, n, k, lda, ldb, ldc, strideA, strideB, strideC, splitStrideC, splits, kChunk, alpha, \
            beta, vecA, vecB, err                                                                             \
    }

