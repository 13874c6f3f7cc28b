// Helpers shared by every kernel family: the dropout hash (bit-identical to
// dev.kanna.backend.DropoutRng), warp and block reductions, the deferred error word, bf16 packing.
// Functions a host program can check (the hash) are __host__ __device__; see src/test/cuda/.
#pragma once
#include <stdint.h>

#ifndef __CUDACC_RTC__
#include <math.h>
#endif

#define FULL_MASK 0xffffffffu

// ------------------------------------------------------------------ dropout

// A uniform float in [0, 1) with 24 random bits for element `index` under `seed`: a splitmix64
// finalizer over seed + index·φ, exactly DropoutRng.uniform (unsigned arithmetic wraps like Java's
// long; >> on uint64_t is Java's >>>; a 24-bit integer converts to float exactly).
__host__ __device__ inline float dropout_uniform(uint64_t seed, uint64_t index) {
    uint64_t z = seed + index * 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z = z ^ (z >> 31);
    return (float)(z >> 40) * 5.9604644775390625e-8f;   // 2^-24
}

// Whether element `index` survives dropout with drop probability p (DropoutRng.keep).
__host__ __device__ inline bool dropout_keep(uint64_t seed, uint64_t index, float p) {
    return dropout_uniform(seed, index) >= p;
}

#ifdef __CUDACC__

// ------------------------------------------------------------------ reductions

__device__ __forceinline__ float warp_sum(float v) {
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(FULL_MASK, v, o);
    return v;
}

__device__ __forceinline__ double warp_sum_d(double v) {
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(FULL_MASK, v, o);
    return v;
}

__device__ __forceinline__ float warp_max(float v) {
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) v = fmaxf(v, __shfl_xor_sync(FULL_MASK, v, o));
    return v;
}

// Sum over the whole block in a fixed order (warp trees, then warp 0 over the warp sums), so the
// result does not depend on scheduling. `scratch` holds 32 doubles. Every thread gets the result.
__device__ __forceinline__ double block_sum_d(double v, double* scratch) {
    int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = (blockDim.x + 31) >> 5;
    v = warp_sum_d(v);
    __syncthreads();                       // scratch may still be read by a previous call
    if (lane == 0) scratch[warp] = v;
    __syncthreads();
    v = lane < warps ? scratch[lane] : 0.0;
    v = warp_sum_d(v);
    return v;
}

// ------------------------------------------------------------------ errors

// Kernels cannot throw: bad input (a token id outside the vocabulary...) is recorded in a small
// device word that the backend reads at its next synchronisation and turns into an exception.
// err[0] = error code (first one wins), err[1] = offending value, err[2] = the limit it broke.
#define ERR_TOKEN_ID 1
#define ERR_TYPE_ID 2
#define ERR_LABEL 3
#define ERR_ROW_INDEX 4
#define ERR_SMEM 5

__device__ __forceinline__ void report_error(int* err, int code, int value, int limit) {
    if (atomicCAS(err, 0, code) == 0) {
        err[1] = value;
        err[2] = limit;
    }
}

// The dynamic shared memory a launch was given (PTX special register), so a kernel can refuse a
// launch whose host-side size formula disagrees with its own instead of corrupting memory.
__device__ __forceinline__ unsigned dynamic_smem_size() {
    unsigned r;
    asm volatile("mov.u32 %0, %%dynamic_smem_size;" : "=r"(r));
    return r;
}

// ------------------------------------------------------------------ bf16

// Round-to-nearest-even fp32 → bf16 of two values packed into one 32-bit word (lo in the low half),
// the layout mma.sync expects for a pair of consecutive k elements.
__device__ __forceinline__ uint32_t pack_bf16x2(float lo, float hi) {
    uint32_t r;
    asm("cvt.rn.bf16x2.f32 %0, %1, %2;" : "=r"(r) : "f"(hi), "f"(lo));
    return r;
}

__device__ __forceinline__ float bf16_to_float(uint16_t h) {
    return __uint_as_float(((uint32_t)h) << 16);
}

// Grid-stride loop over [0, n) with 64-bit indices.
#define GRID_STRIDE(i, n) \
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < (n); i += (long long)gridDim.x * blockDim.x)

#endif  // __CUDACC__
