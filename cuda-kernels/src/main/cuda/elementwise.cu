// Elementwise and reduction kernels: fill, add, scale, dropout (forward and backward), the
// sum-of-squares reduction behind gradient norms, column sums (bias gradients) and the bias
// broadcast used before a cuBLAS product.
//
// Napkin math (H200, ~4.3 TB/s device copy): every kernel here is memory-bound. add on n floats
// moves 12n bytes: the (32·128, 768) residual stream of bert-base (3.1M floats) in ~9 µs.
// Dropout costs the same bytes plus a 64-bit hash per element (~40 integer ops), still under the
// memory time. Reductions are two-stage (per-block partials, then one block in index order), so
// results are bitwise reproducible: no float atomics anywhere.
#include "common.cuh"

extern "C" __global__ void fill_f32(float* t, float value, long long n) {
    GRID_STRIDE(i, n) t[i] = value;
}

// out = a + b; out may alias a or b (each element read before it is written, by the same thread).
extern "C" __global__ void add_f32(float* out, const float* a, const float* b, long long n) {
    GRID_STRIDE(i, n) out[i] = a[i] + b[i];
}

extern "C" __global__ void scale_f32(float* t, float factor, long long n) {
    GRID_STRIDE(i, n) t[i] *= factor;
}

// Dropout multiplies by a keep factor, 1/(1−p) or 0, exactly as the CPU backend (DropoutMask.java)
// does: the same bits everywhere, −0 for a dropped negative included. The element index is the flat
// index in the tensor.
__device__ __forceinline__ float dropout_factor(unsigned long long seed, long long i, float p, float keepScale) {
    return dropout_keep(seed, (uint64_t)i, p) ? keepScale : 0.0f;
}

// out = in · factor(seed, i).
extern "C" __global__ void dropout_fwd(float* out, const float* in, float p, unsigned long long seed, long long n) {
    float keepScale = 1.0f / (1.0f - p);
    GRID_STRIDE(i, n) out[i] = in[i] * dropout_factor(seed, i, p, keepScale);
}

// dIn += dOut · factor(seed, i), one rounding (fma, as the CPU backend); p = 0 adds dOut.
extern "C" __global__ void dropout_bwd(float* dIn, const float* dOut, float p, unsigned long long seed, long long n) {
    if (p == 0.0f) {
        GRID_STRIDE(i, n) dIn[i] += dOut[i];
        return;
    }
    float keepScale = 1.0f / (1.0f - p);
    GRID_STRIDE(i, n) dIn[i] = __fmaf_rn(dOut[i], dropout_factor(seed, i, p, keepScale), dIn[i]);
}

// Stage 1 of Σ x²: block b writes the double sum of its grid-stride share to partial[offset + b].
// The grid size is a function of n alone (chosen by the host), so the split is reproducible.
extern "C" __global__ void sumsq_partial(double* partial, int offset, const float* x, long long n) {
    __shared__ double scratch[32];
    double s = 0.0;
    GRID_STRIDE(i, n) {
        double v = x[i];
        s += v * v;
    }
    s = block_sum_d(s, scratch);
    if (threadIdx.x == 0) partial[offset + blockIdx.x] = s;
}

// Stage 2, one block per tensor: out[s] = Σ partial[offsets[s] .. offsets[s + 1]) in index order.
extern "C" __global__ void sum_partial_segments(double* out, const double* partial, const int* offsets) {
    __shared__ double scratch[32];
    int from = offsets[blockIdx.x], count = offsets[blockIdx.x + 1] - from;
    // each thread sums a contiguous run, then the block tree: a fixed order for a given count
    int per = (count + blockDim.x - 1) / blockDim.x;
    int begin = threadIdx.x * per, end = min(count, begin + per);
    double s = 0.0;
    for (int i = begin; i < end; i++) s += partial[from + i];
    s = block_sum_d(s, scratch);
    if (threadIdx.x == 0) out[blockIdx.x] = s;
}

// Column sums of x (rows, cols), stage 1: block (strip, chunk) sums rows [chunk·rowsPerChunk, ...)
// of 32 columns into partial[chunk][col]. Block: 32 × 8 threads; threadIdx.y strides over rows.
extern "C" __global__ void colsum_partial(float* partial, const float* x, int rows, int cols, int rowsPerChunk) {
    __shared__ float acc[8][33];
    int col = blockIdx.x * 32 + threadIdx.x;
    int r0 = blockIdx.y * rowsPerChunk, r1 = min(rows, r0 + rowsPerChunk);
    float s = 0.0f;
    if (col < cols) {
        for (int r = r0 + threadIdx.y; r < r1; r += 8) s += x[(long long)r * cols + col];
    }
    acc[threadIdx.y][threadIdx.x] = s;
    __syncthreads();
    if (threadIdx.y == 0 && col < cols) {
        float t = 0.0f;
#pragma unroll
        for (int k = 0; k < 8; k++) t += acc[k][threadIdx.x];
        partial[(long long)blockIdx.y * cols + col] = t;
    }
}

// Stage 2: out[col] += Σ_chunk partial[chunk][col], chunks in order.
extern "C" __global__ void colsum_finish(float* out, const float* partial, int chunks, int cols) {
    int col = blockIdx.x * blockDim.x + threadIdx.x;
    if (col >= cols) return;
    float t = 0.0f;
    for (int k = 0; k < chunks; k++) t += partial[(long long)k * cols + col];
    out[col] += t;
}

// out(rows, cols) = bias(cols) broadcast over rows (the C operand of a cuBLAS product with beta 1).
extern "C" __global__ void bias_broadcast(float* out, const float* bias, int rows, int cols) {
    long long n = (long long)rows * cols;
    GRID_STRIDE(i, n) out[i] = bias[i % cols];
}
