// Elementwise activations and their derivatives: GELU (exact erf form and tanh form), ReLU, tanh.
// `kind` follows dev.kanna.backend.Activation's ordinal: 0 GELU_ERF, 1 GELU_TANH, 2 RELU, 3 TANH.
// In float with the accurate library functions (erff, tanhf, expf: a few ulp), against the CPU's
// double-then-round: differences of ~1e-7 relative.
//
// Napkin math: forward moves 8 bytes per element, backward 16 (reads dIn for the +=). bert-base's
// FFN activation (4096, 3072) = 12.6M floats: ~25 µs forward at 4 TB/s; the erf is hidden under it.
#include "common.cuh"

#define ACT_GELU_ERF 0
#define ACT_GELU_TANH 1
#define ACT_RELU 2
#define ACT_TANH 3

__device__ __forceinline__ float act_forward(int kind, float x) {
    switch (kind) {
        case ACT_GELU_ERF: return 0.5f * x * (1.0f + erff(x * 0.70710678118654752f));
        case ACT_GELU_TANH: return 0.5f * x * (1.0f + tanhf(0.79788456080286536f * (x + 0.044715f * x * x * x)));
        case ACT_RELU: return fmaxf(x, 0.0f);
        default: return tanhf(x);
    }
}

__device__ __forceinline__ float act_derivative(int kind, float x) {
    switch (kind) {
        case ACT_GELU_ERF:
            return 0.5f * (1.0f + erff(x * 0.70710678118654752f)) + x * 0.39894228040143268f * expf(-0.5f * x * x);
        case ACT_GELU_TANH: {
            float u = 0.79788456080286536f * (x + 0.044715f * x * x * x);
            float th = tanhf(u);
            return 0.5f * (1.0f + th) + 0.5f * x * (1.0f - th * th) * 0.79788456080286536f * (1.0f + 3.0f * 0.044715f * x * x);
        }
        case ACT_RELU: return x > 0.0f ? 1.0f : 0.0f;
        default: {
            float th = tanhf(x);
            return 1.0f - th * th;
        }
    }
}

// out = act(in); out may be in.
extern "C" __global__ void act_fwd(float* out, const float* in, int kind, long long n) {
    GRID_STRIDE(i, n) out[i] = act_forward(kind, in[i]);
}

// dIn += act'(in) · dOut.
extern "C" __global__ void act_bwd(float* dIn, const float* dOut, const float* in, int kind, long long n) {
    GRID_STRIDE(i, n) dIn[i] += act_derivative(kind, in[i]) * dOut[i];
}
