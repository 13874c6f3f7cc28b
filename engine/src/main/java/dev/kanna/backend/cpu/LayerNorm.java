/*
 * LayerNorm over the last dimension, forward and backward, one row per task in the forward and the
 * input gradient, one column range per task in the weight and bias gradients (each thread owns its
 * columns and adds rows in order, so the sums are deterministic).
 *
 * Statistics in float with a corrected two-pass scheme: m = Σx/C, then d = Σ(x − m) and
 * s = Σ(x − m)²; mean = m + d/C and var = s/C − (d/C)². The correction d/C removes the rounding
 * error of the first pass, so a row with a large mean and a small spread loses nothing to
 * cancellation (the textbook "corrected two-pass algorithm").
 */
package dev.kanna.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

final class LayerNorm {
    private static final VectorSpecies<Float> F = VectorOps.F;
    private static final int LANES = VectorOps.LANES;

    private LayerNorm() {
    }

    static void forward(ThreadPool pool, float[] out, float[] mean, float[] rstd, float[] in, float[] w, float[] b,
                        int n, int c, float eps) {
        forward(pool, out, null, mean, rstd, in, null, w, b, n, c, eps);
    }

    private static final ThreadLocal<float[][]> ROW = ThreadLocal.withInitial(() -> new float[1][0]);

    /**
     * LayerNorm(x) with x = in + in2 when in2 is not null (the residual, fused: x is formed row by row
     * and normalised while in L1; sum, nullable, receives it), else x = in.
     */
    static void forward(ThreadPool pool, float[] out, float[] sum, float[] mean, float[] rstd, float[] in, float[] in2,
                        float[] w, float[] b, int n, int c, float eps) {
        pool.parallelFor(n, Math.max(1, 4096 / Math.max(1, c)), (from, to) -> {
            float[][] rowHolder = ROW.get();
            if (in2 != null && sum == null && rowHolder[0].length < c) rowHolder[0] = new float[c];
            for (int r = from; r < to; r++) {
                float[] x = in;
                int off = r * c;
                if (in2 != null) {
                    x = sum != null ? sum : rowHolder[0];
                    int xOff = sum != null ? off : 0;
                    VectorOps.addInto(in, off, in2, off, x, xOff, c);
                    normalizeRow(x, xOff, out, off, c, r, mean, rstd, w, b, eps);
                } else {
                    normalizeRow(in, off, out, off, c, r, mean, rstd, w, b, eps);
                }
            }
        });
    }

    /** One row: statistics of x[xOff..xOff+c), then out[outOff..) = (x − mean)·rstd·w + b. */
    private static void normalizeRow(float[] in, int off, float[] out, int outOff, int c, int r, float[] mean,
                                     float[] rstd, float[] w, float[] b, float eps) {
        float m = sum(in, off, c) / c;
        FloatVector vm = FloatVector.broadcast(F, m), accD = FloatVector.zero(F), accS = FloatVector.zero(F);
        int k = 0;
        for (; k <= c - LANES; k += LANES) {
            FloatVector d = FloatVector.fromArray(F, in, off + k).sub(vm);
            accD = accD.add(d);
            accS = d.fma(d, accS);
        }
        float dSum = VectorOps.sumLanes(accD), sSum = VectorOps.sumLanes(accS);
        for (; k < c; k++) {
            float d = in[off + k] - m;
            dSum += d;
            sSum = Math.fma(d, d, sSum);
        }
        double correction = (double) dSum / c;
        float mu = (float) (m + correction);
        double var = Math.max(0, (double) sSum / c - correction * correction);
        float rs = (float) (1 / Math.sqrt(var + eps));
        affine(in, off, out, outOff, c, mu, rs, w, b);
        if (mean != null) mean[r] = mu;
        if (rstd != null) rstd[r] = rs;
    }

    /** out = (x − mean)·rstd·w + b over one row. */
    private static void affine(float[] in, int off, float[] out, int outOff, int c, float mean, float rstd, float[] w,
                               float[] b) {
        FloatVector vm = FloatVector.broadcast(F, mean), vr = FloatVector.broadcast(F, rstd);
        int k = 0;
        for (; k <= c - LANES; k += LANES) {
            FloatVector xhat = FloatVector.fromArray(F, in, off + k).sub(vm).mul(vr);
            xhat.fma(FloatVector.fromArray(F, w, k), FloatVector.fromArray(F, b, k)).intoArray(out, outOff + k);
        }
        for (; k < c; k++) out[outOff + k] = Math.fma((in[off + k] - mean) * rstd, w[k], b[k]);
    }

    static void backward(ThreadPool pool, float[] dIn, float[] dW, float[] dB, float[] dOut, float[] in, float[] w,
                         float[] mean, float[] rstd, int n, int c) {
        if (dIn != null) {
            pool.parallelFor(n, Math.max(1, 4096 / Math.max(1, c)), (from, to) -> {
                for (int r = from; r < to; r++) inputGradientRow(dIn, dOut, in, w, r * c, c, mean[r], rstd[r]);
            });
        }
        if (dW != null || dB != null) {
            // Columns in whole vectors per piece, so every column takes the same (vector or tail) path.
            int vectors = (c + LANES - 1) / LANES;
            pool.parallelFor(vectors, 1, (from, to) -> {
                int k0 = from * LANES, k1 = Math.min(c, to * LANES);
                for (int r = 0; r < n; r++) {
                    int off = r * c;
                    float m = mean[r], rs = rstd[r];
                    int k = k0;
                    for (; k <= k1 - LANES; k += LANES) {
                        FloatVector g = FloatVector.fromArray(F, dOut, off + k);
                        if (dW != null) {
                            FloatVector xhat = FloatVector.fromArray(F, in, off + k).sub(m).mul(rs);
                            g.fma(xhat, FloatVector.fromArray(F, dW, k)).intoArray(dW, k);
                        }
                        if (dB != null) g.add(FloatVector.fromArray(F, dB, k)).intoArray(dB, k);
                    }
                    for (; k < k1; k++) {
                        if (dW != null) dW[k] = Math.fma(dOut[off + k], (in[off + k] - m) * rs, dW[k]);
                        if (dB != null) dB[k] += dOut[off + k];
                    }
                }
            });
        }
    }

    /** dIn += rstd·(g − mean(g) − x̂·mean(g·x̂)) with g = dOut·w, over one row. */
    private static void inputGradientRow(float[] dIn, float[] dOut, float[] in, float[] w, int off, int c,
                                         float m, float rs) {
        FloatVector vm = FloatVector.broadcast(F, m), vr = FloatVector.broadcast(F, rs);
        FloatVector accG = FloatVector.zero(F), accGx = FloatVector.zero(F);
        int k = 0;
        for (; k <= c - LANES; k += LANES) {
            FloatVector g = FloatVector.fromArray(F, dOut, off + k).mul(FloatVector.fromArray(F, w, k));
            FloatVector xhat = FloatVector.fromArray(F, in, off + k).sub(vm).mul(vr);
            accG = accG.add(g);
            accGx = g.fma(xhat, accGx);
        }
        float sumG = VectorOps.sumLanes(accG), sumGx = VectorOps.sumLanes(accGx);
        for (; k < c; k++) {
            float g = dOut[off + k] * w[k];
            sumG += g;
            sumGx = Math.fma(g, (in[off + k] - m) * rs, sumGx);
        }
        float meanG = sumG / c, meanGx = sumGx / c;
        FloatVector vMeanG = FloatVector.broadcast(F, meanG), vMeanGx = FloatVector.broadcast(F, meanGx);
        k = 0;
        for (; k <= c - LANES; k += LANES) {
            FloatVector g = FloatVector.fromArray(F, dOut, off + k).mul(FloatVector.fromArray(F, w, k));
            FloatVector xhat = FloatVector.fromArray(F, in, off + k).sub(vm).mul(vr);
            FloatVector centred = xhat.neg().fma(vMeanGx, g.sub(vMeanG));
            centred.fma(vr, FloatVector.fromArray(F, dIn, off + k)).intoArray(dIn, off + k);
        }
        for (; k < c; k++) {
            float g = dOut[off + k] * w[k];
            float xhat = (in[off + k] - m) * rs;
            dIn[off + k] = Math.fma(Math.fma(-xhat, meanGx, g - meanG), rs, dIn[off + k]);
        }
    }

    /** Σ x[off..off+n): lanes, then lanes in order, then the tail. */
    private static float sum(float[] x, int off, int n) {
        FloatVector acc = FloatVector.zero(F);
        int k = 0;
        for (; k <= n - LANES; k += LANES) acc = acc.add(FloatVector.fromArray(F, x, off + k));
        float s = VectorOps.sumLanes(acc);
        for (; k < n; k++) s += x[off + k];
        return s;
    }
}
