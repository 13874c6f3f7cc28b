// Fused multi-head attention, flash-attention style, fp32 on the CUDA cores: forward with online
// softmax, backward recomputing the probabilities from the saved log-sum-exp. Nothing of size
// (B, H, T, T) is ever stored. Semantics are the CPU backend's Attention.java:
//   qkv (B, T, 3C) = [query | key | value], head h at columns h·hs of each part, C = H·hs;
//   s_ij = q_i·k_j / √hs + maskBias[b, j];  P = softmax_j(s);  dropout on P with
//   keep(seed, ((b·H + h)·T + i)·T + j), kept values scaled by 1/(1−p);  out_i = Σ_j P'_ij v_j.
// Saved for the backward: lse (B, H, T) and a copy of out (B, T, C) (for D_i = dO_i·O_i).
//
// Kernels (templated on D, the head size rounded up to 16, 32, 64 or 128; padded dimensions are
// zeros): attn_fwd (block = 64 queries × all keys in tiles of 32), attn_bwd_prep (D_i),
// attn_bwd_dq (block = 64 queries, loops over key tiles), attn_bwd_dkv (block = 64 keys, loops over
// query tiles). dQ and dK/dV come from separate kernels, so every output element has exactly one
// writer: deterministic, no atomics. Backward ops accumulate (+=) into dQkv.
//
// Napkin math, bert-base (B 32, H 12, T 128, hs 64): forward 4·B·H·T²·hs = 1.6 GFLOP, backward
// (S and dP recomputed in both kernels, plus dQ, dK, dV) 7/2 of that: 5.6 GFLOP. Bytes are small
// (qkv 38 MB read once per kernel). On fp32 CUDA cores (~60 TFLOP/s peak, ~1 shared-memory load per
// 1.5 FMA here) expect ~15–25 TFLOP/s: ~0.1 ms forward and ~0.3 ms backward per layer.
#include "common.cuh"

#define ATT_THREADS 256
#define ATT_BR 64      // query rows per forward / dQ block
#define ATT_BC 32      // keys per tile in the forward / dQ loop
#define ATT_KB 64      // keys per dK/dV block
#define ATT_QB 32      // query rows per tile in the dK/dV loop
#define ATT_PS 40      // row stride of (64, 32) probability tiles: 8 lanes × 4 row groups hit distinct banks
#define ATT_PS2 80     // row stride of (32, 64) probability tiles

// Shared-memory floats per kernel; AttentionKernels.java mirrors these formulas, and each kernel
// checks the size it was launched with.
__host__ __device__ constexpr int attn_fwd_smem_floats(int d) {
    return ATT_BR * (d + 1) + ATT_BC * (d + 1) + ATT_BC * d + ATT_BR * ATT_PS;
}
__host__ __device__ constexpr int attn_dq_smem_floats(int d) {
    return 2 * ATT_BR * (d + 1) + 2 * ATT_BC * (d + 1) + ATT_BR * ATT_PS;
}
__host__ __device__ constexpr int attn_dkv_smem_floats(int d) {
    return 2 * ATT_KB * (d + 1) + 2 * ATT_QB * (d + 1) + 2 * ATT_QB * ATT_PS2;
}

__device__ __forceinline__ bool smem_ok(int floats, int* err) {
    if (dynamic_smem_size() >= (unsigned)floats * 4u) return true;
    if (threadIdx.x == 0) report_error(err, ERR_SMEM, (int)dynamic_smem_size(), floats * 4);
    return false;
}

// Loads rows [row0, row0 + n) of one head's part (column offset `col`) of qkv into a (n, stride)
// shared tile; rows ≥ T and columns ≥ hs are zeros.
template <int D>
__device__ __forceinline__ void load_head_tile(float* tile, int stride, int n, const float* base, int row0, int t,
                                               int c3, int col, int hs) {
    for (int e = threadIdx.x; e < n * D; e += ATT_THREADS) {
        int r = e / D, d = e % D, i = row0 + r;
        tile[r * stride + d] = (i < t && d < hs) ? base[(long long)i * c3 + col + d] : 0.0f;
    }
}

template <int D>
__device__ __forceinline__ void attn_fwd_body(float* out, float* lse, float* outCopy, const float* qkv,
                                              const float* maskBias, int t, int heads, int hs, float scale,
                                              float dropP, unsigned long long seed, int* err) {
    extern __shared__ float smem[];
    constexpr int QS = D + 1;
    if (!smem_ok(attn_fwd_smem_floats(D), err)) return;
    float* Qs = smem;                 // (BR, D+1)
    float* Ks = Qs + ATT_BR * QS;     // (BC, D+1)
    float* Vs = Ks + ATT_BC * QS;     // (BC, D)
    float* Ps = Vs + ATT_BC * D;      // (BR, PS) dropped, unnormalised probabilities of this tile

    int bh = blockIdx.y, b = bh / heads, h = bh % heads;
    int c = heads * hs, c3 = 3 * c;
    int q0 = blockIdx.x * ATT_BR;
    const float* base = qkv + (long long)b * t * c3;
    const float* mask = maskBias + (long long)b * t;
    int tx = threadIdx.x & 7, ty = threadIdx.x >> 3;   // scores: rows ty, ty+32; keys tx + 8k
    float keepScale = dropP > 0.0f ? 1.0f / (1.0f - dropP) : 1.0f;

    load_head_tile<D>(Qs, QS, ATT_BR, base, q0, t, c3, h * hs, hs);
    float m[2] = {-INFINITY, -INFINITY}, l[2] = {0.0f, 0.0f};
    float acc[2][D / 8];
#pragma unroll
    for (int r = 0; r < 2; r++)
#pragma unroll
        for (int dd = 0; dd < D / 8; dd++) acc[r][dd] = 0.0f;

    for (int k0 = 0; k0 < t; k0 += ATT_BC) {
        __syncthreads();   // the previous tile's readers are done
        load_head_tile<D>(Ks, QS, ATT_BC, base, k0, t, c3, c + h * hs, hs);
        load_head_tile<D>(Vs, D, ATT_BC, base, k0, t, c3, 2 * c + h * hs, hs);
        __syncthreads();

        float s[2][4];
#pragma unroll
        for (int r = 0; r < 2; r++)
#pragma unroll
            for (int k = 0; k < 4; k++) s[r][k] = 0.0f;
#pragma unroll 8
        for (int d = 0; d < D; d++) {
            float qa = Qs[ty * QS + d], qb = Qs[(ty + 32) * QS + d];
#pragma unroll
            for (int k = 0; k < 4; k++) {
                float kv = Ks[(tx + 8 * k) * QS + d];
                s[0][k] += qa * kv;
                s[1][k] += qb * kv;
            }
        }
#pragma unroll
        for (int r = 0; r < 2; r++) {
            int row = ty + 32 * r, i = q0 + row;
            float mt = -INFINITY;
#pragma unroll
            for (int k = 0; k < 4; k++) {
                int key = k0 + tx + 8 * k;
                s[r][k] = key < t ? s[r][k] * scale + mask[key] : -INFINITY;
                mt = fmaxf(mt, s[r][k]);
            }
            mt = fmaxf(mt, __shfl_xor_sync(FULL_MASK, mt, 1));   // the 8 lanes sharing a row
            mt = fmaxf(mt, __shfl_xor_sync(FULL_MASK, mt, 2));
            mt = fmaxf(mt, __shfl_xor_sync(FULL_MASK, mt, 4));
            float mNew = fmaxf(m[r], mt);
            float corr = expf(m[r] - mNew);
            float ps = 0.0f;
#pragma unroll
            for (int k = 0; k < 4; k++) {
                int key = k0 + tx + 8 * k;
                float p = expf(s[r][k] - mNew);
                ps += p;
                if (dropP > 0.0f && key < t && i < t &&
                    !dropout_keep(seed, ((unsigned long long)bh * t + i) * t + key, dropP)) {
                    p = 0.0f;
                }
                Ps[row * ATT_PS + tx + 8 * k] = p;
            }
            ps += __shfl_xor_sync(FULL_MASK, ps, 1);
            ps += __shfl_xor_sync(FULL_MASK, ps, 2);
            ps += __shfl_xor_sync(FULL_MASK, ps, 4);
            l[r] = l[r] * corr + ps;
            m[r] = mNew;
#pragma unroll
            for (int dd = 0; dd < D / 8; dd++) acc[r][dd] *= corr;
        }
        __syncthreads();   // Ps complete

#pragma unroll 4
        for (int j = 0; j < ATT_BC; j++) {
            float pa = Ps[ty * ATT_PS + j], pb = Ps[(ty + 32) * ATT_PS + j];
#pragma unroll
            for (int dd = 0; dd < D / 8; dd++) {
                float v = Vs[j * D + tx + 8 * dd];
                acc[0][dd] += pa * v;
                acc[1][dd] += pb * v;
            }
        }
    }

#pragma unroll
    for (int r = 0; r < 2; r++) {
        int i = q0 + ty + 32 * r;
        if (i >= t) continue;
        float f = keepScale / l[r];
        long long o = ((long long)b * t + i) * c + h * hs;
#pragma unroll
        for (int dd = 0; dd < D / 8; dd++) {
            int d = tx + 8 * dd;
            if (d < hs) {
                float v = acc[r][dd] * f;
                out[o + d] = v;
                if (outCopy != nullptr) outCopy[o + d] = v;
            }
        }
        if (tx == 0 && lse != nullptr) lse[(long long)bh * t + i] = m[r] + logf(l[r]);
    }
}

// delta(B, H, T) = Σ_d dOut(b, i, h·hs + d) · out(b, i, h·hs + d): one warp per (b, h, i).
// `saved` is the forward's saved tensor: lse (B, H, T), then the copy of out at saved + outOffset.
extern "C" __global__ void attn_bwd_prep(float* delta, const float* dOut, const float* saved, long long outOffset,
                                         int b, int t, int heads, int hs) {
    const float* out = saved + outOffset;
    long long w = (long long)blockIdx.x * (blockDim.x >> 5) + (threadIdx.x >> 5);
    int lane = threadIdx.x & 31;
    if (w >= (long long)b * heads * t) return;
    int i = (int)(w % t);
    long long bh = w / t;
    int bi = (int)(bh / heads), h = (int)(bh % heads);
    long long o = ((long long)bi * t + i) * heads * hs + (long long)h * hs;
    float s = 0.0f;
    for (int d = lane; d < hs; d += 32) s += dOut[o + d] * out[o + d];
    s = warp_sum(s);
    if (lane == 0) delta[w] = s;
}

template <int D>
__device__ __forceinline__ void attn_bwd_dq_body(float* dQkv, const float* dOut, const float* qkv,
                                                 const float* maskBias, const float* lse, const float* delta, int t,
                                                 int heads, int hs, float scale, float dropP,
                                                 unsigned long long seed, int* err) {
    extern __shared__ float smem[];
    constexpr int QS = D + 1;
    if (!smem_ok(attn_dq_smem_floats(D), err)) return;
    float* Qs = smem;                 // (BR, D+1)
    float* dOs = Qs + ATT_BR * QS;    // (BR, D+1)
    float* Ks = dOs + ATT_BR * QS;    // (BC, D+1)
    float* Vs = Ks + ATT_BC * QS;     // (BC, D+1)
    float* dSs = Vs + ATT_BC * QS;    // (BR, PS)

    int bh = blockIdx.y, b = bh / heads, h = bh % heads;
    int c = heads * hs, c3 = 3 * c;
    int q0 = blockIdx.x * ATT_BR;
    const float* base = qkv + (long long)b * t * c3;
    const float* dOutBase = dOut + (long long)b * t * c;
    const float* mask = maskBias + (long long)b * t;
    int tx = threadIdx.x & 7, ty = threadIdx.x >> 3;
    float keepScale = dropP > 0.0f ? 1.0f / (1.0f - dropP) : 1.0f;

    load_head_tile<D>(Qs, QS, ATT_BR, base, q0, t, c3, h * hs, hs);
    load_head_tile<D>(dOs, QS, ATT_BR, dOutBase, q0, t, c, h * hs, hs);
    float rowLse[2], rowDelta[2];
#pragma unroll
    for (int r = 0; r < 2; r++) {
        int i = q0 + ty + 32 * r;
        rowLse[r] = i < t ? lse[(long long)bh * t + i] : 0.0f;
        rowDelta[r] = i < t ? delta[(long long)bh * t + i] : 0.0f;
    }
    float acc[2][D / 8];
#pragma unroll
    for (int r = 0; r < 2; r++)
#pragma unroll
        for (int dd = 0; dd < D / 8; dd++) acc[r][dd] = 0.0f;

    for (int k0 = 0; k0 < t; k0 += ATT_BC) {
        __syncthreads();
        load_head_tile<D>(Ks, QS, ATT_BC, base, k0, t, c3, c + h * hs, hs);
        load_head_tile<D>(Vs, QS, ATT_BC, base, k0, t, c3, 2 * c + h * hs, hs);
        __syncthreads();

        float s[2][4], dp[2][4];
#pragma unroll
        for (int r = 0; r < 2; r++)
#pragma unroll
            for (int k = 0; k < 4; k++) s[r][k] = dp[r][k] = 0.0f;
#pragma unroll 4
        for (int d = 0; d < D; d++) {
            float qa = Qs[ty * QS + d], qb = Qs[(ty + 32) * QS + d];
            float oa = dOs[ty * QS + d], ob = dOs[(ty + 32) * QS + d];
#pragma unroll
            for (int k = 0; k < 4; k++) {
                float kv = Ks[(tx + 8 * k) * QS + d], vv = Vs[(tx + 8 * k) * QS + d];
                s[0][k] += qa * kv;
                s[1][k] += qb * kv;
                dp[0][k] += oa * vv;
                dp[1][k] += ob * vv;
            }
        }
#pragma unroll
        for (int r = 0; r < 2; r++) {
            int row = ty + 32 * r, i = q0 + row;
#pragma unroll
            for (int k = 0; k < 4; k++) {
                int key = k0 + tx + 8 * k;
                float ds = 0.0f;
                if (i < t && key < t) {
                    float p = expf(s[r][k] * scale + mask[key] - rowLse[r]);
                    float z = 1.0f;
                    if (dropP > 0.0f) {
                        z = dropout_keep(seed, ((unsigned long long)bh * t + i) * t + key, dropP) ? keepScale : 0.0f;
                    }
                    ds = p * (dp[r][k] * z - rowDelta[r]) * scale;
                }
                dSs[row * ATT_PS + tx + 8 * k] = ds;
            }
        }
        __syncthreads();

#pragma unroll 4
        for (int j = 0; j < ATT_BC; j++) {
            float da = dSs[ty * ATT_PS + j], db = dSs[(ty + 32) * ATT_PS + j];
#pragma unroll
            for (int dd = 0; dd < D / 8; dd++) {
                float kv = Ks[j * QS + tx + 8 * dd];
                acc[0][dd] += da * kv;
                acc[1][dd] += db * kv;
            }
        }
    }

#pragma unroll
    for (int r = 0; r < 2; r++) {
        int i = q0 + ty + 32 * r;
        if (i >= t) continue;
        long long o = ((long long)b * t + i) * c3 + h * hs;
#pragma unroll
        for (int dd = 0; dd < D / 8; dd++) {
            int d = tx + 8 * dd;
            if (d < hs) dQkv[o + d] += acc[r][dd];
        }
    }
}

template <int D>
__device__ __forceinline__ void attn_bwd_dkv_body(float* dQkv, const float* dOut, const float* qkv,
                                                  const float* maskBias, const float* lse, const float* delta,
                                                  int t, int heads, int hs, float scale, float dropP,
                                                  unsigned long long seed, int* err) {
    extern __shared__ float smem[];
    constexpr int QS = D + 1;
    if (!smem_ok(attn_dkv_smem_floats(D), err)) return;
    float* Ks = smem;                 // (KB, D+1)
    float* Vs = Ks + ATT_KB * QS;     // (KB, D+1)
    float* Qs = Vs + ATT_KB * QS;     // (QB, D+1)
    float* dOs = Qs + ATT_QB * QS;    // (QB, D+1)
    float* Ps = dOs + ATT_QB * QS;    // (QB, PS2) dropped probabilities P·z
    float* dSs = Ps + ATT_QB * ATT_PS2;   // (QB, PS2)

    int bh = blockIdx.y, b = bh / heads, h = bh % heads;
    int c = heads * hs, c3 = 3 * c;
    int j0 = blockIdx.x * ATT_KB;
    const float* base = qkv + (long long)b * t * c3;
    const float* dOutBase = dOut + (long long)b * t * c;
    const float* mask = maskBias + (long long)b * t;
    float keepScale = dropP > 0.0f ? 1.0f / (1.0f - dropP) : 1.0f;
    // scores (QB × KB): rows sy, sy+16; keys sx + 16k.  accumulation (KB × D): keys ay, ay+32; dims ax + 8dd
    int sx = threadIdx.x & 15, sy = threadIdx.x >> 4;
    int ax = threadIdx.x & 7, ay = threadIdx.x >> 3;

    load_head_tile<D>(Ks, QS, ATT_KB, base, j0, t, c3, c + h * hs, hs);
    load_head_tile<D>(Vs, QS, ATT_KB, base, j0, t, c3, 2 * c + h * hs, hs);
    float maskKey[4];
#pragma unroll
    for (int k = 0; k < 4; k++) {
        int key = j0 + sx + 16 * k;
        maskKey[k] = key < t ? mask[key] : 0.0f;
    }
    float dK[2][D / 8], dV[2][D / 8];
#pragma unroll
    for (int r = 0; r < 2; r++)
#pragma unroll
        for (int dd = 0; dd < D / 8; dd++) dK[r][dd] = dV[r][dd] = 0.0f;

    for (int i0 = 0; i0 < t; i0 += ATT_QB) {
        __syncthreads();
        load_head_tile<D>(Qs, QS, ATT_QB, base, i0, t, c3, h * hs, hs);
        load_head_tile<D>(dOs, QS, ATT_QB, dOutBase, i0, t, c, h * hs, hs);
        __syncthreads();

        float s[2][4], dp[2][4];
#pragma unroll
        for (int r = 0; r < 2; r++)
#pragma unroll
            for (int k = 0; k < 4; k++) s[r][k] = dp[r][k] = 0.0f;
#pragma unroll 4
        for (int d = 0; d < D; d++) {
            float qa = Qs[sy * QS + d], qb = Qs[(sy + 16) * QS + d];
            float oa = dOs[sy * QS + d], ob = dOs[(sy + 16) * QS + d];
#pragma unroll
            for (int k = 0; k < 4; k++) {
                float kv = Ks[(sx + 16 * k) * QS + d], vv = Vs[(sx + 16 * k) * QS + d];
                s[0][k] += qa * kv;
                s[1][k] += qb * kv;
                dp[0][k] += oa * vv;
                dp[1][k] += ob * vv;
            }
        }
#pragma unroll
        for (int r = 0; r < 2; r++) {
            int row = sy + 16 * r, i = i0 + row;
            float rowLse = i < t ? lse[(long long)bh * t + i] : 0.0f;
            float rowDelta = i < t ? delta[(long long)bh * t + i] : 0.0f;
#pragma unroll
            for (int k = 0; k < 4; k++) {
                int key = j0 + sx + 16 * k;
                float pz = 0.0f, ds = 0.0f;
                if (i < t && key < t) {
                    float p = expf(s[r][k] * scale + maskKey[k] - rowLse);
                    float z = 1.0f;
                    if (dropP > 0.0f) {
                        z = dropout_keep(seed, ((unsigned long long)bh * t + i) * t + key, dropP) ? keepScale : 0.0f;
                    }
                    pz = p * z;
                    ds = p * (dp[r][k] * z - rowDelta) * scale;
                }
                Ps[row * ATT_PS2 + sx + 16 * k] = pz;
                dSs[row * ATT_PS2 + sx + 16 * k] = ds;
            }
        }
        __syncthreads();

#pragma unroll 4
        for (int r = 0; r < ATT_QB; r++) {
            float pa = Ps[r * ATT_PS2 + ay], pb = Ps[r * ATT_PS2 + ay + 32];
            float da = dSs[r * ATT_PS2 + ay], db = dSs[r * ATT_PS2 + ay + 32];
#pragma unroll
            for (int dd = 0; dd < D / 8; dd++) {
                float o = dOs[r * QS + ax + 8 * dd], q = Qs[r * QS + ax + 8 * dd];
                dV[0][dd] += pa * o;
                dV[1][dd] += pb * o;
                dK[0][dd] += da * q;
                dK[1][dd] += db * q;
            }
        }
    }

#pragma unroll
    for (int r = 0; r < 2; r++) {
        int j = j0 + ay + 32 * r;
        if (j >= t) continue;
        long long o = ((long long)b * t + j) * c3 + h * hs;
#pragma unroll
        for (int dd = 0; dd < D / 8; dd++) {
            int d = ax + 8 * dd;
            if (d < hs) {
                dQkv[o + c + d] += dK[r][dd];
                dQkv[o + 2 * c + d] += dV[r][dd];
            }
        }
    }
}

// attn_fwd: `saved` (nullable: inference) receives lse (B, H, T) and, at saved + outOffset, a copy of out.
#define ATTENTION_KERNELS(D)                                                                                       \
    extern "C" __global__ void __launch_bounds__(ATT_THREADS) attn_fwd_d##D(                                       \
        float* out, float* saved, long long outOffset, const float* qkv, const float* maskBias, int t, int heads,   \
        int hs, float scale, float dropP, unsigned long long seed, int* err) {                                     \
        attn_fwd_body<D>(out, saved, saved == nullptr ? nullptr : saved + outOffset, qkv, maskBias, t, heads, hs,   \
                         scale, dropP, seed, err);                                                                 \
    }                                                                                                              \
    extern "C" __global__ void __launch_bounds__(ATT_THREADS) attn_bwd_dq_d##D(                                    \
        float* dQkv, const float* dOut, const float* qkv, const float* maskBias, const float* lse,                 \
        const float* delta, int t, int heads, int hs, float scale, float dropP, unsigned long long seed, int* err) { \
        attn_bwd_dq_body<D>(dQkv, dOut, qkv, maskBias, lse, delta, t, heads, hs, scale, dropP, seed, err);         \
    }                                                                                                              \
    extern "C" __global__ void __launch_bounds__(ATT_THREADS) attn_bwd_dkv_d##D(                                   \
        float* dQkv, const float* dOut, const float* qkv, const float* maskBias, const float* lse,                 \
        const float* delta, int t, int heads, int hs, float scale, float dropP, unsigned long long seed, int* err) { \
        attn_bwd_dkv_body<D>(dQkv, dOut, qkv, maskBias, lse, delta, t, heads, hs, scale, dropP, seed, err);        \
    }

ATTENTION_KERNELS(16)
ATTENTION_KERNELS(32)
ATTENTION_KERNELS(64)
ATTENTION_KERNELS(128)
