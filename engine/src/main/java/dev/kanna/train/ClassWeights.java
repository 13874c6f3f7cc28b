/*
 * Class weights for imbalanced data ("--class-weights auto"): scikit-learn's "balanced" rule,
 * n_samples / (n_classes · count_c), so every class contributes equally to the loss.
 */
package dev.kanna.train;

public final class ClassWeights {
    private ClassWeights() {
    }

    /** Balanced weights for labels in [0, classes); a class never seen gets weight 1. */
    public static float[] balanced(int[] labels, int classes) {
        long[] counts = new long[classes];
        int n = 0;
        for (int y : labels) {
            if (y < 0) continue;
            if (y >= classes) throw new IllegalArgumentException("label " + y + " outside " + classes + " classes");
            counts[y]++;
            n++;
        }
        float[] weights = new float[classes];
        for (int c = 0; c < classes; c++) weights[c] = counts[c] == 0 ? 1f : (float) ((double) n / ((double) classes * counts[c]));
        return weights;
    }
}
