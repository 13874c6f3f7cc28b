/*
 * Runs a model over every example of a dataset without recording and hands back its outputs per
 * example, unpadded: K floats for a sequence head, length × K (row-major) for a token head, and for
 * data whose targets select rows (masked LM) the m × K outputs at its m selected rows; each as
 * TaskData.reduce keeps it. Examples run in length-sorted batches (longest first) so padding stays
 * small; the results come back in the dataset's order.
 */
package dev.kanna.task;

import dev.kanna.report.ProgressBar;

import dev.kanna.bert.Batch;
import dev.kanna.bert.TaskModel;
import dev.kanna.train.Targets;

import java.util.Arrays;
import java.util.List;

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
                unpad(source.outputs(indices), indices, t, k, perToken, data, out);
            }
            if (progress != null) progress.step(indices.length, "");
        }
        return out;
    }

    /**
     * Several models of one task over the same data, an ensemble's members: each batch is built once
     * and run by each model in turn, so the data costs one tokenization and one padding whatever the
     * number of models. Returns [model][example] outputs, unpadded, as collect gives each (data whose
     * targets select rows is not taken: that is masked-LM pretraining, which has no ensembles).
     *
     * @param progress nullable; advances by examples
     */
    public static float[][][] collect(List<TaskModel> models, TaskData data, int batchSize, ProgressBar progress) {
        if (data.selectsRows()) throw new IllegalArgumentException("outputs at selected rows are not combined");
        int n = data.size(), k = models.getFirst().numOutputs();
        boolean perToken = models.getFirst().perToken();
        int[] order = data.byLength();
        float[][][] out = new float[models.size()][n][];
        for (int start = 0; start < n; start += batchSize) {
            int[] indices = Arrays.copyOfRange(order, start, Math.min(n, start + batchSize));
            int t = 1;
            for (int i : indices) t = Math.max(t, data.length(i));
            Batch batch = data.batch(indices);
            for (int m = 0; m < models.size(); m++) unpad(models.get(m).outputs(batch), indices, t, k, perToken, data, out[m]);
            if (progress != null) progress.step(indices.length, "");
        }
        return out;
    }

    /** Splits a batch's (B, K) or (B, T, K) outputs into out[example], each unpadded and reduced. */
    private static void unpad(float[] batch, int[] indices, int t, int k, boolean perToken, TaskData data, float[][] out) {
        int row = perToken ? t * k : k;
        for (int b = 0; b < indices.length; b++) {
            int width = perToken ? data.length(indices[b]) * k : k;
            out[indices[b]] = data.reduce(indices[b], Arrays.copyOfRange(batch, b * row, b * row + width));
        }
    }
}
