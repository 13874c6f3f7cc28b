/*
 * Runs a model over every example of a dataset without recording and hands back its outputs per
 * example, unpadded: K floats for a sequence head, length × K (row-major) for a token head.
 * Examples run in length-sorted batches (longest first) so padding stays small; the results come
 * back in the dataset's order.
 */
package dev.kanna.task;

import dev.kanna.report.ProgressBar;

import java.util.Arrays;
import java.util.function.Function;

public final class Outputs {
    private Outputs() {
    }

    /**
     * @param run      the outputs of the examples at the given indices, row-major (B, K) or (B, T, K)
     *                 with T their longest length
     * @param progress nullable; advances by examples
     */
    public static float[][] collect(Function<int[], float[]> run, TaskData data, int k, boolean perToken, int batchSize,
                                    ProgressBar progress) {
        int n = data.size();
        int[] order = data.byLength();
        float[][] out = new float[n][];
        for (int start = 0; start < n; start += batchSize) {
            int[] indices = Arrays.copyOfRange(order, start, Math.min(n, start + batchSize));
            float[] batch = run.apply(indices);
            int t = 1;
            for (int i : indices) t = Math.max(t, data.length(i));
            int row = perToken ? t * k : k;
            for (int b = 0; b < indices.length; b++) {
                int width = perToken ? data.length(indices[b]) * k : k;
                out[indices[b]] = Arrays.copyOfRange(batch, b * row, b * row + width);
            }
            if (progress != null) progress.step(indices.length, "");
        }
        return out;
    }
}
