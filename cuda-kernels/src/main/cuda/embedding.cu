// Embedding gather (word + position + token type), its scatter-add backward, and row gathers and
// scatter-adds by an index tensor (the [CLS] rows, masked positions).
//
// Scatter-add is deterministic without float atomics: rows are split into chunks of 32 (one warp
// ballot each). Stage 1: the first row of each chunk holding an index value sums that chunk's rows
// with the value, in row order, into a partial. Stage 2: the first row overall holding the value adds
// the partials of every chunk holding it, in chunk order, to the table row. The same ids always sum
// in the same order, whatever the scheduling.
//
// Napkin math: the forward reads three table rows and writes one per token, (32·128) × 768 floats:
// ~40 MB, ~10 µs. The backward reads dOut twice (partials, then finish) plus index scans from L1.
#include "common.cuh"

// out(rows, C) = word[ids] + position[r mod T] + tokenType[typeIds]; a bad id writes zeros and is
// reported through err.
extern "C" __global__ void embedding_fwd(float* out, const int* ids, const int* typeIds, const float* word,
                                         const float* position, const float* tokenType, int rows, int t, int c,
                                         int vocab, int types, int* err) {
    int r = blockIdx.x;
    int tok = ids[r], ty = typeIds[r], pos = r % t;
    bool bad = tok < 0 || tok >= vocab || ty < 0 || ty >= types;
    if (bad && threadIdx.x == 0) {
        if (tok < 0 || tok >= vocab) report_error(err, ERR_TOKEN_ID, tok, vocab);
        else report_error(err, ERR_TYPE_ID, ty, types);
    }
    float* o = out + (long long)r * c;
    for (int k = threadIdx.x; k < c; k += blockDim.x) {
        o[k] = bad ? 0.0f
                   : word[(long long)tok * c + k] + position[(long long)pos * c + k] + tokenType[(long long)ty * c + k];
    }
}

// dPosition(T, C) += Σ_b dOut(b, t, ·), b in order. One thread per (t, column).
extern "C" __global__ void embedding_bwd_position(float* dPosition, const float* dOut, int b, int t, int c) {
    long long n = (long long)t * c;
    GRID_STRIDE(i, n) {
        float s = 0.0f;
        for (int bi = 0; bi < b; bi++) s += dOut[(long long)bi * n + i];
        dPosition[i] += s;
    }
}

// The mask of rows in r's 32-row chunk whose index equals `value` (every lane gets it).
__device__ __forceinline__ unsigned chunk_mask(const int* idx, int rows, int chunkBase, int value) {
    int rr = chunkBase + (threadIdx.x & 31);
    return __ballot_sync(FULL_MASK, rr < rows && idx[rr] == value);
}

// Stage 1: block per row r. If r is the first row of its chunk with its index value, partial(r, ·) =
// Σ src(rows of the chunk with that value, ·) in row order. Index values outside [0, limit) are
// reported and skipped.
extern "C" __global__ void scatter_add_partial(float* partial, const float* src, const int* idx, int rows, int c,
                                               int limit, int errCode, int* err) {
    int r = blockIdx.x;
    int value = idx[r];
    if (value < 0 || value >= limit) {
        if (threadIdx.x == 0) report_error(err, errCode, value, limit);
        return;
    }
    int base = r & ~31;
    unsigned mask = chunk_mask(idx, rows, base, value);
    if (mask & ((1u << (r - base)) - 1u)) return;     // an earlier row of this chunk owns the value
    for (int k = threadIdx.x; k < c; k += blockDim.x) {
        float s = 0.0f;
        unsigned m = mask;
        while (m) {
            int bit = __ffs(m) - 1;
            m &= m - 1;
            s += src[(long long)(base + bit) * c + k];
        }
        partial[(long long)r * c + k] = s;
    }
}

#define SCATTER_WINDOW 1024   // chunks whose owner rows are listed in shared memory at once

// Stage 2: block per row r. If r is the first row overall with its value, dst(value, ·) += the
// partials of every chunk holding the value, chunks in order. Block size: a multiple of 32.
extern "C" __global__ void scatter_add_finish(float* dst, const float* partial, const int* idx, int rows, int c,
                                              int limit) {
    __shared__ int owner[SCATTER_WINDOW];
    int r = blockIdx.x;
    int value = idx[r];
    if (value < 0 || value >= limit) return;
    int base = r & ~31;
    if (chunk_mask(idx, rows, base, value) & ((1u << (r - base)) - 1u)) return;
    bool earlier = false;
    for (int rr = threadIdx.x; rr < base; rr += blockDim.x) earlier |= idx[rr] == value;
    if (__syncthreads_or(earlier)) return;             // a previous chunk owns the value

    int chunks = (rows + 31) / 32, first = base / 32;
    int warp = threadIdx.x >> 5, warps = blockDim.x >> 5, lane = threadIdx.x & 31;
    for (int w0 = first; w0 < chunks; w0 += SCATTER_WINDOW) {
        int wn = min(SCATTER_WINDOW, chunks - w0);
        for (int k = warp; k < wn; k += warps) {
            unsigned m = chunk_mask(idx, rows, (w0 + k) * 32, value);
            if (lane == 0) owner[k] = m ? (w0 + k) * 32 + __ffs(m) - 1 : -1;
        }
        __syncthreads();
        for (int col = threadIdx.x; col < c; col += blockDim.x) {
            float s = 0.0f;
#pragma unroll 8
            for (int k = 0; k < wn; k++) {
                int o = owner[k];
                s += o >= 0 ? partial[(long long)o * c + col] : 0.0f;
            }
            dst[(long long)value * c + col] += s;
        }
        __syncthreads();
    }
}

// out(M, C) = in(rowIdx[m], C); a bad index writes zeros and is reported.
extern "C" __global__ void gather_rows(float* out, const float* in, const int* rowIdx, int m, int c, int inRows,
                                       int* err) {
    int i = blockIdx.x;
    int src = rowIdx[i];
    bool bad = src < 0 || src >= inRows;
    if (bad && threadIdx.x == 0) report_error(err, ERR_ROW_INDEX, src, inRows);
    for (int k = threadIdx.x; k < c; k += blockDim.x) out[(long long)i * c + k] = bad ? 0.0f : in[(long long)src * c + k];
}
