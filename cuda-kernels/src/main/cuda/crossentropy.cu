// Softmax cross-entropy per row with class weights and label smoothing, fused with its gradient,
// one warp per row, in double like the CPU backend's CrossEntropy.java (see Backend#crossEntropy):
//   loss = (1−ε)·w[y]·(lse − z[y]) + (ε/K)·Σₖ w[k]·(lse − z[k])
//   dz[j] = gradScale · ((1−ε)·w[y]·(p[j] − [j=y]) + (ε/K)·(Σw·p[j] − w[j]))
// A negative label is ignored (loss 0, gradient 0); a label ≥ K is reported through the error word.
//
// Napkin math: classification heads have K = 2..10: launch-bound. An MLM head (K = 30522) reads the
// logits three times from L2 and writes the gradient once; doubles keep it accurate, not slow.
#include "common.cuh"

#define CE_ROWS_PER_BLOCK 8

extern "C" __global__ void cross_entropy(float* losses, float* dLogits, const float* logits, const int* labels,
                                         const float* weights, int rows, int k, float smoothing, float gradScale,
                                         int* err) {
    int row = blockIdx.x * CE_ROWS_PER_BLOCK + (threadIdx.x >> 5), lane = threadIdx.x & 31;
    if (row >= rows) return;
    const float* z = logits + (long long)row * k;
    float* dz = dLogits == nullptr ? nullptr : dLogits + (long long)row * k;
    int y = labels[row];
    if (y >= k) {
        if (lane == 0) report_error(err, ERR_LABEL, y, k);
        y = -1;
    }
    if (y < 0) {
        if (lane == 0) losses[row] = 0.0f;
        if (dz != nullptr) for (int j = lane; j < k; j += 32) dz[j] = 0.0f;
        return;
    }
    double mx = -INFINITY, wSum = 0.0;
    for (int j = lane; j < k; j += 32) {
        mx = fmax(mx, (double)z[j]);
        wSum += weights == nullptr ? 1.0 : (double)weights[j];
    }
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) mx = fmax(mx, __shfl_xor_sync(FULL_MASK, mx, o));
    wSum = warp_sum_d(wSum);
    double s = 0.0;
    for (int j = lane; j < k; j += 32) s += exp(z[j] - mx);
    double lse = mx + log(warp_sum_d(s));
    double wy = weights == nullptr ? 1.0 : (double)weights[y];
    double smooth = 0.0;
    if (smoothing != 0.0f) {
        for (int j = lane; j < k; j += 32) smooth += (weights == nullptr ? 1.0 : (double)weights[j]) * (lse - z[j]);
        smooth = warp_sum_d(smooth);
    }
    if (lane == 0) {
        double loss = (double)(1.0f - smoothing) * wy * (lse - z[y]);
        if (smoothing != 0.0f) loss += smoothing / k * smooth;
        losses[row] = (float)loss;
    }
    if (dz != nullptr) {
        for (int j = lane; j < k; j += 32) {
            double p = exp(z[j] - lse);
            double g = (double)(1.0f - smoothing) * wy * (p - (j == y ? 1.0 : 0.0));
            if (smoothing != 0.0f) {
                double wj = weights == nullptr ? 1.0 : (double)weights[j];
                g += smoothing / k * (wSum * p - wj);
            }
            dz[j] = (float)(g * gradScale);
        }
    }
}
