/*
 * Softmax cross-entropy per row with class weights and label smoothing, fused with its gradient,
 * following torch.nn.functional.cross_entropy (see Backend#crossEntropy for the formula).
 */
package dev.kanna.backend.cpu;

final class CrossEntropy {
    private CrossEntropy() {
    }

    static void forwardBackward(ThreadPool pool, float[] losses, float[] dLogits, float[] logits, int[] labels,
                                float[] weights, int n, int k, float smoothing, float gradScale) {
        double weightSum = 0;
        if (weights != null) for (float w : weights) weightSum += w;
        else weightSum = k;
        final double wSum = weightSum;
        pool.parallelFor(n, 16, (from, to) -> {
            for (int r = from; r < to; r++) {
                int off = r * k, y = labels[r];
                if (y < 0) {
                    losses[r] = 0f;
                    if (dLogits != null) for (int j = 0; j < k; j++) dLogits[off + j] = 0f;
                    continue;
                }
                if (y >= k) throw new IllegalArgumentException("label " + y + " outside " + k + " classes");
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < k; j++) max = Math.max(max, logits[off + j]);
                double sum = 0;
                for (int j = 0; j < k; j++) sum += Math.exp(logits[off + j] - max);
                double lse = max + Math.log(sum);
                double wy = weights == null ? 1 : weights[y];
                double loss = (1 - smoothing) * wy * (lse - logits[off + y]);
                if (smoothing != 0f) {
                    double smooth = 0;
                    for (int j = 0; j < k; j++) smooth += (weights == null ? 1 : weights[j]) * (lse - logits[off + j]);
                    loss += smoothing / k * smooth;
                }
                losses[r] = (float) loss;
                if (dLogits != null) {
                    for (int j = 0; j < k; j++) {
                        double p = Math.exp(logits[off + j] - lse);
                        double g = (1 - smoothing) * wy * (p - (j == y ? 1 : 0));
                        if (smoothing != 0f) {
                            double wj = weights == null ? 1 : weights[j];
                            g += smoothing / k * (wSum * p - wj);
                        }
                        dLogits[off + j] = (float) (g * gradScale);
                    }
                }
            }
        });
    }
}
