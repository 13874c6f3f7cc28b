/*
 * Matrix products for Linear layers, forward and backward, in PyTorch's weight layout (O, I).
 * Each product splits over rows of its output, so threads never share an output element.
 */
package dev.kanna.backend.cpu;

final class Gemm {
    private Gemm() {
    }

    /** out(N, O) = in(N, K) · w(O, K)ᵀ + bias(O). */
    static void linear(ThreadPool pool, float[] out, float[] in, float[] w, float[] bias, int n, int k, int o) {
        pool.parallelFor(n, 4, (from, to) -> {
            for (int r = from; r < to; r++) {
                for (int c = 0; c < o; c++) {
                    float s = VectorOps.dot(in, r * k, w, c * k, k);
                    out[r * o + c] = bias == null ? s : s + bias[c];
                }
            }
        });
    }

    /** dIn(N, K) += dOut(N, O) · w(O, K). */
    static void linearBackwardInput(ThreadPool pool, float[] dIn, float[] dOut, float[] w, int n, int k, int o) {
        pool.parallelFor(n, 4, (from, to) -> {
            for (int r = from; r < to; r++) {
                for (int c = 0; c < o; c++) {
                    float g = dOut[r * o + c];
                    if (g != 0f) VectorOps.axpy(g, w, c * k, dIn, r * k, k);
                }
            }
        });
    }

    /** dW(O, K) += dOut(N, O)ᵀ · in(N, K). */
    static void linearBackwardWeight(ThreadPool pool, float[] dW, float[] dOut, float[] in, int n, int k, int o) {
        pool.parallelFor(o, 4, (from, to) -> {
            for (int c = from; c < to; c++) {
                for (int r = 0; r < n; r++) {
                    float g = dOut[r * o + c];
                    if (g != 0f) VectorOps.axpy(g, in, r * k, dW, c * k, k);
                }
            }
        });
    }
}
