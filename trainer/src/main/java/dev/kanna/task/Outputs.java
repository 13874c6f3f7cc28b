/*
 * Runs a model over every example of a dataset without recording and hands back its outputs per
 * example, unpadded: K floats for a sequence head, length × K (row-major) for a token head, and for
 * data whose targets select rows (masked LM) the m × K outputs at its m selected rows; each as
 * TaskData.reduce keeps it. Examples run in length-sorted batches (longest first) so padding stays
 * small; the results come back in the dataset's order.
 */
package dev.kanna.task;

import dev.kanna.report.ProgressBar;

import dev.kanna.bert.TaskModel;
import dev.kanna.train.Targets;

import java.util.Arrays;

public final class Outputs {
    private Outputs() {
    }

    /** How a batch's outputs are computed: over every position, or at some rows of the (B·T) positions only. */
    public interface Source {
        /** Row-major (B, K) or (B, T, K), T the batch's longest length. */
        float[] outputs(int[] indices);

        /** Row-major (M, K) at rows (ascending) of the batch's flattened (B·T) positions. */
        float[] outputsAt(int[] indices, int[] rows);
    }

    /** The model over the data's own batches. */
    public static Source of(TaskModel model, TaskData data) {
        return new Source() {
            @Override
            public float[] outputs(int[] indices) {
                return model.outputs(data.batch(indices));
            }

            @Override
            public float[] outputsAt(int[] indices, int[] rows) {
                return model.outputsAt(data.batch(indices), rows);
            }
        };
    }

    /** @param progress nullable; advances by examples */
    public static float[][] collect(Source source, TaskData data, int k, boolean perToken, int batchSize,
                                    ProgressBar progress) {
        int n = data.size();
        int[] order = data.byLength();
        float[][] out = new float[n][];
        for (int start = 0; start < n; start += batchSize) {
            int[] indices = Arrays.copyOfRange(order, start, Math.min(n, start + batchSize));
            int t = 1;
            for (int i : indices) t = Math.max(t, data.length(i));
            if (data.selectsRows()) {
                int[] rows = ((Targets.Selected) data.targets(indices)).rows();
                float[] batch = source.outputsAt(indices, rows);                     // (M, K)
                for (int b = 0, from = 0; b < indices.length; b++) {
                    int to = from;
                    while (to < rows.length && rows[to] < (b + 1) * t) to++;
                    out[indices[b]] = data.reduce(indices[b], Arrays.copyOfRange(batch, from * k, to * k));
                    from = to;
                }
            } else {
                float[] batch = source.outputs(indices);
                int row = perToken ? t * k : k;
                for (int b = 0; b < indices.length; b++) {
                    int width = perToken ? data.length(indices[b]) * k : k;
                    out[indices[b]] = data.reduce(indices[b], Arrays.copyOfRange(batch, b * row, b * row + width));
                }
            }
            if (progress != null) progress.step(indices.length, "");
        }
        return out;
    }
}
