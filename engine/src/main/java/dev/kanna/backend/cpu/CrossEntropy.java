/*
 * Softmax cross-entropy per row with class weights and label smoothing, fused with its gradient,
 * following torch.nn.functional.cross_entropy (see Backend#crossEntropy for the formula). Per row:
 * max, e_j = exp(z_j − max) and their sum (vectorised, summed via double), lse = max + log Σ; then
 *   loss = (1−ε)·w_y·(lse − z_y) + ε/K·Σⱼ wⱼ·(lse − zⱼ)            (in double)
 *   dLogits_j = gradScale·[(1−ε)·w_y·(p_j − [j = y]) + ε/K·(W·p_j − wⱼ)],  p_j = e_j / Σ, W = Σ w
 * with e_j kept in dLogits between the two passes. Rows are independent: split over the pool.
 */
package dev.kanna.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

final class CrossEntropy {
    private static final VectorSpecies<Float> F = VectorOps.F;
    private static final int LANES = VectorOps.LANES;

    private CrossEntropy() {
    }

    static void forwardBackward(ThreadPool pool, float[] losses, float[] dLogits, float[] logits, int[] labels,
                                float[] weights, int n, int k, float smoothing, float gradScale) {
        for (int r = 0; r < n; r++) {
            if (labels[r] >= k) throw new IllegalArgumentException("label " + labels[r] + " outside " + k + " classes");
        }
        double weightSum = k;
        if (weights != null) {
            weightSum = 0;
            for (int j = 0; j < k; j++) weightSum += weights[j];
        }
        double wSum = weightSum;
        pool.parallelFor(n, Math.max(1, 8192 / k), (from, to) -> {
            for (int r = from; r < to; r++) row(losses, dLogits, logits, labels[r], weights, r, k, smoothing, gradScale, wSum);
        });
    }

    private static void row(float[] losses, float[] dLogits, float[] logits, int y, float[] weights, int r, int k,
                            float smoothing, float gradScale, double wSum) {
        int off = r * k;
        if (y < 0) {                                       // ignored: no loss, no gradient
            losses[r] = 0f;
            if (dLogits != null) java.util.Arrays.fill(dLogits, off, off + k, 0f);
            return;
        }
        float max = Softmax.max(logits, off, k);
        double sum = Softmax.expShifted(logits, off, dLogits, off, k, max);
        double lse = max + Math.log(sum);
        double wy = weights == null ? 1 : weights[y];
        double loss = (1 - smoothing) * wy * (lse - logits[off + y]);
        if (smoothing != 0f) {
            double smooth = 0;
            for (int j = 0; j < k; j++) smooth += (weights == null ? 1 : weights[j]) * (lse - logits[off + j]);
            loss += smoothing / k * smooth;
        }
        losses[r] = (float) loss;
        if (dLogits == null) return;
        // dLogits_j = e_j·a − w_j·b, then the label's own term; e_j is already in dLogits.
        float a = (float) (gradScale * ((1 - smoothing) * wy + smoothing / k * wSum) / sum);
        float b = (float) ((double) gradScale * smoothing / k);
        FloatVector va = FloatVector.broadcast(F, a), vb = FloatVector.broadcast(F, -b);
        int j = 0;
        if (weights != null) {
            for (; j <= k - LANES; j += LANES) {
                FloatVector.fromArray(F, weights, j).fma(vb, FloatVector.fromArray(F, dLogits, off + j).mul(va))
                        .intoArray(dLogits, off + j);
            }
            for (; j < k; j++) dLogits[off + j] = Math.fma(weights[j], -b, dLogits[off + j] * a);
        } else {
            for (; j <= k - LANES; j += LANES) {
                FloatVector.fromArray(F, dLogits, off + j).mul(va).sub(b).intoArray(dLogits, off + j);
            }
            for (; j < k; j++) dLogits[off + j] = dLogits[off + j] * a - b;
        }
        dLogits[off + y] -= (float) (gradScale * (1 - smoothing) * wy);
    }
}
