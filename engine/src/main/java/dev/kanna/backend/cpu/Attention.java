/*
 * Multi-head self-attention over a packed (B, T, 3C) projection, one (batch, head) pair per task.
 * Each pair reads and writes only its own head's columns, so pairs run in parallel without sharing.
 * The forward keeps the softmax probabilities (B, H, T, T) for the backward when asked.
 */
package dev.kanna.backend.cpu;

import dev.kanna.backend.DropoutRng;

final class Attention {
    private Attention() {
    }

    static void forward(ThreadPool pool, float[] out, float[] probsOut, float[] qkv, float[] maskBias,
                        int b, int t, int c, int heads, float dropoutP, long seed) {
        int hs = c / heads, c3 = 3 * c;
        float scale = (float) (1 / Math.sqrt(hs));
        float keepScale = dropoutP == 0f ? 1f : 1f / (1f - dropoutP);
        pool.parallelFor(b * heads, 1, (from, to) -> {
            float[] p = new float[t * t];           // (T, T) this pair's probabilities
            for (int bh = from; bh < to; bh++) {
                int bi = bh / heads, h = bh % heads;
                int base = bi * t * c3, qOff = h * hs, kOff = c + h * hs, vOff = 2 * c + h * hs;
                for (int i = 0; i < t; i++) {
                    int row = i * t;
                    for (int j = 0; j < t; j++) {
                        p[row + j] = VectorOps.dot(qkv, base + i * c3 + qOff, qkv, base + j * c3 + kOff, hs) * scale
                                + maskBias[bi * t + j];
                    }
                    Softmax.row(p, row, p, row, t);
                }
                if (probsOut != null) System.arraycopy(p, 0, probsOut, bh * t * t, t * t);
                for (int i = 0; i < t; i++) {
                    int o = (bi * t + i) * c + h * hs;
                    for (int d = 0; d < hs; d++) out[o + d] = 0f;
                    for (int j = 0; j < t; j++) {
                        float pij = p[i * t + j];
                        if (dropoutP != 0f) {
                            long index = (long) bh * t * t + (long) i * t + j;
                            pij = DropoutRng.keep(seed, index, dropoutP) ? pij * keepScale : 0f;
                        }
                        if (pij != 0f) VectorOps.axpy(pij, qkv, base + j * c3 + vOff, out, o, hs);
                    }
                }
            }
        });
    }

    static void backward(ThreadPool pool, float[] dQkv, float[] dOut, float[] qkv, float[] probs,
                         int b, int t, int c, int heads, float dropoutP, long seed) {
        int hs = c / heads, c3 = 3 * c;
        float scale = (float) (1 / Math.sqrt(hs));
        float keepScale = dropoutP == 0f ? 1f : 1f / (1f - dropoutP);
        pool.parallelFor(b * heads, 1, (from, to) -> {
            float[] dP = new float[t];             // (T) one row of ∂L/∂probabilities
            for (int bh = from; bh < to; bh++) {
                int bi = bh / heads, h = bh % heads;
                int base = bi * t * c3, qOff = h * hs, kOff = c + h * hs, vOff = 2 * c + h * hs;
                int pBase = bh * t * t;
                for (int i = 0; i < t; i++) {
                    int dO = (bi * t + i) * c + h * hs;
                    double rowDot = 0;
                    for (int j = 0; j < t; j++) {
                        float mask = 1f;
                        if (dropoutP != 0f) {
                            long index = (long) bh * t * t + (long) i * t + j;
                            mask = DropoutRng.keep(seed, index, dropoutP) ? keepScale : 0f;
                        }
                        float pij = probs[pBase + i * t + j];
                        // ∂L/∂V_j += dropped p_ij · dOut_i
                        if (pij * mask != 0f) VectorOps.axpy(pij * mask, dOut, dO, dQkv, base + j * c3 + vOff, hs);
                        float dp = mask == 0f ? 0f : VectorOps.dot(dOut, dO, qkv, base + j * c3 + vOff, hs) * mask;
                        dP[j] = dp;
                        rowDot += (double) dp * pij;
                    }
                    for (int j = 0; j < t; j++) {
                        float dS = probs[pBase + i * t + j] * (dP[j] - (float) rowDot) * scale;
                        if (dS == 0f) continue;
                        VectorOps.axpy(dS, qkv, base + j * c3 + kOff, dQkv, base + i * c3 + qOff, hs);
                        VectorOps.axpy(dS, qkv, base + i * c3 + qOff, dQkv, base + j * c3 + kOff, hs);
                    }
                }
            }
        });
    }
}
