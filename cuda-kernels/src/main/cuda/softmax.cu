// Row-wise softmax, one warp per row (the CPU backend's Softmax.row: float max, float exponentials,
// their sum in double, one float reciprocal).
//
// Napkin math: 8 bytes per element (read, write; the row is re-read from L1). Used for output
// probabilities (N, K), small next to everything else in a training step.
#include "common.cuh"

#define SM_ROWS_PER_BLOCK 8

// out(N, K) = softmax(in(N, K)) row by row; out may alias in.
extern "C" __global__ void softmax_fwd(float* out, const float* in, int rows, int cols) {
    int row = blockIdx.x * SM_ROWS_PER_BLOCK + (threadIdx.x >> 5), lane = threadIdx.x & 31;
    if (row >= rows) return;
    const float* x = in + (long long)row * cols;
    float* y = out + (long long)row * cols;
    float mx = -INFINITY;
    for (int k = lane; k < cols; k += 32) mx = fmaxf(mx, x[k]);
    mx = warp_max(mx);
    double s = 0.0;
    for (int k = lane; k < cols; k += 32) {
        float e = expf(x[k] - mx);
        y[k] = e;
        s += e;
    }
    s = warp_sum_d(s);
    float inv = (float)(1.0 / s);
    for (int k = lane; k < cols; k += 32) y[k] *= inv;
}
