/*
 * Row softmax kernels: the plain op, attention's scaled and masked rows, and attention's softmax
 * backward. Sums run in vector lanes then add the lanes in order (VectorOps.sumLanes) and tails add
 * after, so a row's result depends only on its contents.
 */
package dev.kanna.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

final class Softmax {
    private static final VectorSpecies<Float> F = VectorOps.F;
    private static final int LANES = VectorOps.LANES;

    private Softmax() {
    }

    /** out[outOff..outOff+n) = softmax(in[inOff..inOff+n)). */
    static void row(float[] in, int inOff, float[] out, int outOff, int n) {
        float max = max(in, inOff, n);
        double sum = expShifted(in, inOff, out, outOff, n, max);
        VectorOps.scale(out, outOff, n, (float) (1 / sum));
    }

    /**
     * In place: x[off + j] ← exp(z_j − max z) with z_j = x[off + j]·scale + mask[maskOff + j], over
     * j < n; returns 1/Σ exp(z_j − max z), the factor that normalises the row into softmax(z).
     */
    static float scaledMaskedExp(float[] x, int off, int n, float scale, float[] mask, int maskOff) {
        FloatVector vs = FloatVector.broadcast(F, scale);
        float max = Float.NEGATIVE_INFINITY;
        int j = 0;
        if (n >= LANES) {
            FloatVector m = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
            for (; j <= n - LANES; j += LANES) {
                m = m.max(FloatVector.fromArray(F, x, off + j).fma(vs, FloatVector.fromArray(F, mask, maskOff + j)));
            }
            max = m.reduceLanes(VectorOperators.MAX);      // max is exact: any order gives the same bits
        }
        for (; j < n; j++) max = Math.max(max, Math.fma(x[off + j], scale, mask[maskOff + j]));
        FloatVector vMax = FloatVector.broadcast(F, max), acc = FloatVector.zero(F);
        double sum = 0;
        j = 0;
        while (j <= n - LANES) {
            for (int v = 0; v < BLOCK && j <= n - LANES; v++, j += LANES) {
                FloatVector e = VectorMath.exp(FloatVector.fromArray(F, x, off + j)
                        .fma(vs, FloatVector.fromArray(F, mask, maskOff + j)).sub(vMax));
                e.intoArray(x, off + j);
                acc = acc.add(e);
            }
            sum += VectorOps.sumLanes(acc);
            acc = FloatVector.zero(F);
        }
        for (; j < n; j++) {
            float e = VectorMath.exp(Math.fma(x[off + j], scale, mask[maskOff + j]) - max);
            x[off + j] = e;
            sum += e;
        }
        return (float) (1 / sum);
    }

    /**
     * Attention's softmax backward for one row, in place on dp: with Pd the dropped probabilities and
     * dp = ∂L/∂Pd, dS_j = (Pd_j·dp_j − P_j·Σₖ Pd_k·dp_k)·scale (Pd_j = P_j·mask_j, so no mask needed).
     */
    static void backwardRow(float[] dp, int dpOff, float[] p, int pOff, float[] pd, int pdOff, int n, float scale) {
        float rowDot = VectorOps.dot(pd, pdOff, dp, dpOff, n);
        FloatVector vScale = FloatVector.broadcast(F, scale), vDot = FloatVector.broadcast(F, -rowDot);
        int j = 0;
        for (; j <= n - LANES; j += LANES) {
            FloatVector g = FloatVector.fromArray(F, pd, pdOff + j).mul(FloatVector.fromArray(F, dp, dpOff + j));
            FloatVector.fromArray(F, p, pOff + j).fma(vDot, g).mul(vScale).intoArray(dp, dpOff + j);
        }
        for (; j < n; j++) dp[dpOff + j] = Math.fma(p[pOff + j], -rowDot, pd[pdOff + j] * dp[dpOff + j]) * scale;
    }

    static float max(float[] x, int off, int n) {
        float max = Float.NEGATIVE_INFINITY;
        int j = 0;
        if (n >= LANES) {
            FloatVector m = FloatVector.fromArray(F, x, off);
            for (j = LANES; j <= n - LANES; j += LANES) m = m.max(FloatVector.fromArray(F, x, off + j));
            max = m.reduceLanes(VectorOperators.MAX);      // max is exact: any order gives the same bits
        }
        for (; j < n; j++) max = Math.max(max, x[off + j]);
        return max;
    }

    /** Vectors summed in float before their lanes move to the double total (bounds float error growth). */
    private static final int BLOCK = 32;

    /**
     * out[j] = exp(in[j] − shift) (out nullable: only the sum is wanted), returning Σ exp(in[j] − shift):
     * float lanes over blocks of BLOCK vectors, each block's lanes added in order into a double, then the
     * tail. Accurate to ~BLOCK·2⁻²⁴ relative for any n, e.g. a 30522-word vocabulary.
     */
    static double expShifted(float[] in, int inOff, float[] out, int outOff, int n, float shift) {
        FloatVector vShift = FloatVector.broadcast(F, shift);
        double sum = 0;
        int j = 0;
        while (j <= n - LANES) {
            FloatVector acc = FloatVector.zero(F);
            for (int v = 0; v < BLOCK && j <= n - LANES; v++, j += LANES) {
                FloatVector e = VectorMath.exp(FloatVector.fromArray(F, in, inOff + j).sub(vShift));
                if (out != null) e.intoArray(out, outOff + j);
                acc = acc.add(e);
            }
            sum += VectorOps.sumLanes(acc);
        }
        for (; j < n; j++) {
            float e = VectorMath.exp(in[inOff + j] - shift);
            if (out != null) out[outOff + j] = e;
            sum += e;
        }
        return sum;
    }
}
