// LayerNorm over the last dimension, forward and backward, one warp per row (the CPU backend's
// LayerNorm.java, same operation order: statistics in double, the normalisation in float).
//
// Napkin math: bert-base rows are C = 768 floats (3 KB): a warp reads a row twice from L1/L2 for the
// statistics and once more to write, so the forward is ~8 bytes per element of DRAM traffic: the
// (4096, 768) activations in ~8 µs. The weight/bias gradients are column sums over all rows: a
// two-stage reduction (per-chunk partials, then chunks in order; elementwise.cu's colsum_finish),
// reproducible bit for bit.
#include "common.cuh"

#define LN_ROWS_PER_BLOCK 8   // 256 threads = 8 warps = 8 rows

// out(N, C) = (in − mean) · rstd · weight + bias; mean, rstd (N) written when non-null.
// out may alias in: each lane reads its elements before writing them.
extern "C" __global__ void layernorm_fwd(float* out, float* mean, float* rstd, const float* in,
                                         const float* weight, const float* bias, int rows, int cols, float eps) {
    int row = blockIdx.x * LN_ROWS_PER_BLOCK + (threadIdx.x >> 5), lane = threadIdx.x & 31;
    if (row >= rows) return;
    const float* x = in + (long long)row * cols;
    double s = 0.0;
    for (int k = lane; k < cols; k += 32) s += x[k];
    double mu = warp_sum_d(s) / cols;
    double v = 0.0;
    for (int k = lane; k < cols; k += 32) {
        double d = x[k] - mu;
        v += d * d;
    }
    v = warp_sum_d(v);
    float m = (float)mu;
    float rs = (float)(1.0 / sqrt(v / cols + (double)eps));
    float* y = out + (long long)row * cols;
    for (int k = lane; k < cols; k += 32) y[k] = (x[k] - m) * rs * weight[k] + bias[k];
    if (lane == 0) {
        if (mean != nullptr) mean[row] = m;
        if (rstd != nullptr) rstd[row] = rs;
    }
}

// dIn(N, C) += rstd · (dOut·w − mean(dOut·w) − x̂ · mean(dOut·w·x̂)), x̂ = (in − mean) · rstd.
extern "C" __global__ void layernorm_bwd_input(float* dIn, const float* dOut, const float* in, const float* weight,
                                               const float* mean, const float* rstd, int rows, int cols) {
    int row = blockIdx.x * LN_ROWS_PER_BLOCK + (threadIdx.x >> 5), lane = threadIdx.x & 31;
    if (row >= rows) return;
    long long off = (long long)row * cols;
    float m = mean[row], rs = rstd[row];
    double sumG = 0.0, sumGx = 0.0;
    for (int k = lane; k < cols; k += 32) {
        double g = dOut[off + k] * weight[k];
        sumG += g;
        sumGx += g * (in[off + k] - m) * rs;
    }
    sumG = warp_sum_d(sumG);
    sumGx = warp_sum_d(sumGx);
    float meanG = (float)(sumG / cols), meanGx = (float)(sumGx / cols);
    for (int k = lane; k < cols; k += 32) {
        float xhat = (in[off + k] - m) * rs;
        dIn[off + k] += rs * (dOut[off + k] * weight[k] - meanG - xhat * meanGx);
    }
}

// Weight and bias gradients, stage 1: block (strip of 32 columns, chunk of rows) writes
// partialW[chunk][col] = Σ dOut·x̂ and partialB[chunk][col] = Σ dOut over its rows. Either output
// may be null. Block 32 × 8 threads.
extern "C" __global__ void layernorm_bwd_params_partial(float* partialW, float* partialB, const float* dOut,
                                                        const float* in, const float* mean, const float* rstd,
                                                        int rows, int cols, int rowsPerChunk) {
    __shared__ float accW[8][33], accB[8][33];
    int col = blockIdx.x * 32 + threadIdx.x;
    int r0 = blockIdx.y * rowsPerChunk, r1 = min(rows, r0 + rowsPerChunk);
    float sw = 0.0f, sb = 0.0f;
    if (col < cols) {
        for (int r = r0 + threadIdx.y; r < r1; r += 8) {
            long long i = (long long)r * cols + col;
            float g = dOut[i];
            sw += g * ((in[i] - mean[r]) * rstd[r]);
            sb += g;
        }
    }
    accW[threadIdx.y][threadIdx.x] = sw;
    accB[threadIdx.y][threadIdx.x] = sb;
    __syncthreads();
    if (threadIdx.y == 0 && col < cols) {
        float tw = 0.0f, tb = 0.0f;
#pragma unroll
        for (int k = 0; k < 8; k++) {
            tw += accW[k][threadIdx.x];
            tb += accB[k][threadIdx.x];
        }
        long long o = (long long)blockIdx.y * cols + col;
        if (partialW != nullptr) partialW[o] = tw;
        if (partialB != nullptr) partialB[o] = tb;
    }
}
