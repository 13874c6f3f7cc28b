/*
 * Runs a classifier over a dataset without recording: predictions, class probabilities, the mean
 * cross-entropy (when labelled) and the classification metrics. Examples are batched by length so
 * padding stays small; results come back in the dataset's order.
 */
package dev.kanna.trainer;

import dev.kanna.bert.BertForSequenceClassification;
import dev.kanna.data.LabelMap;
import dev.kanna.metrics.ClassificationMetrics;
import dev.kanna.report.ProgressBar;

import java.util.Arrays;

public record Evaluation(double loss, int[] predictions, float[][] probabilities, ClassificationMetrics metrics) {

    /** Evaluates every example; progress (may be null) advances by examples. */
    public static Evaluation run(BertForSequenceClassification model, EncodedExamples data, LabelMap labels,
                                 int batchSize, ProgressBar progress) {
        int n = data.size(), k = model.numLabels();
        int[] order = data.byLength();
        int[] predictions = new int[n];
        float[][] probabilities = new float[n][];
        double lossSum = 0;
        int labelled = 0;
        for (int start = 0; start < n; start += batchSize) {
            int[] indices = Arrays.copyOfRange(order, start, Math.min(n, start + batchSize));
            float[][] logits = model.logits(data.batch(indices));
            for (int b = 0; b < indices.length; b++) {
                int i = indices[b];
                float[] p = softmax(logits[b]);
                probabilities[i] = p;
                predictions[i] = argmax(p);
                int y = data.label(i);
                if (y >= 0) {
                    lossSum += logSumExp(logits[b]) - logits[b][y];
                    labelled++;
                }
            }
            if (progress != null) progress.step(indices.length, "");
        }
        ClassificationMetrics metrics = null;
        if (labelled == n) {
            int[] gold = new int[n];
            for (int i = 0; i < n; i++) gold[i] = data.label(i);
            metrics = ClassificationMetrics.of(labels.labels().subList(0, k), gold, predictions);
        }
        return new Evaluation(labelled == 0 ? Double.NaN : lossSum / labelled, predictions, probabilities, metrics);
    }

    static float[] softmax(float[] logits) {
        double lse = logSumExp(logits);
        float[] p = new float[logits.length];
        for (int j = 0; j < p.length; j++) p[j] = (float) Math.exp(logits[j] - lse);
        return p;
    }

    static double logSumExp(float[] x) {
        double max = Double.NEGATIVE_INFINITY;
        for (float v : x) max = Math.max(max, v);
        double sum = 0;
        for (float v : x) sum += Math.exp(v - max);
        return max + Math.log(sum);
    }

    static int argmax(float[] p) {
        int best = 0;
        for (int j = 1; j < p.length; j++) if (p[j] > p[best]) best = j;
        return best;
    }
}
