/*
 * Single-label text classification (transformers' problem_type single_label_classification):
 * softmax over K classes, cross-entropy (optionally label-smoothed and class-weighted), accuracy,
 * per-class and macro precision/recall/F1 and the confusion matrix. Labels are the training
 * data's distinct labels in sorted order (by number when all are integers).
 */
package dev.kanna.task;

import dev.kanna.bert.BertConfig;
import dev.kanna.data.DatasetException;
import dev.kanna.data.DatasetReader;
import dev.kanna.data.LabelShape;
import dev.kanna.data.Example;
import dev.kanna.data.LabelMap;
import dev.kanna.metrics.ClassificationMetrics;
import dev.kanna.train.Loss;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;

public final class SequenceClassification extends TextTask {
    public static final String NAME = "sequence-classification";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<String> metricNames() {
        return ClassificationMetrics.NAMES;
    }

    @Override
    LabelShape labelShape() {
        return LabelShape.SINGLE;
    }

    @Override
    public List<String> labels(List<Example> training, Path file) {
        LabelMap labels = LabelMap.fromTraining(training);
        if (labels.size() < 2) {
            throw new DatasetException(file + ": every row has the label \"" + labels.label(0)
                    + "\"; classification needs at least two labels");
        }
        return labels.labels();
    }

    @Override
    TextData withTargets(TextData tokens, List<Example> rows, List<String> labels, Path file) {
        return tokens.withClasses(new LabelMap(labels).ids(rows, file));
    }

    @Override
    public BertConfig configure(BertConfig base, List<String> labels) {
        return base.withLabels(labels).withProblemType("single_label_classification");
    }

    @Override
    public Loss loss(TextData train, LossOptions options) {
        return new Loss.CrossEntropy(options.classWeightsAuto() ? balancedWeights(train) : null,
                (float) options.labelSmoothing());
    }

    /** scikit-learn's "balanced" weights: n / (k · count(class)); k from the largest class id seen. */
    static float[] balancedWeights(TextData train) {
        int classes = 0;
        for (int i = 0; i < train.size(); i++) classes = Math.max(classes, train.label(i) + 1);
        long[] counts = new long[classes];
        for (int i = 0; i < train.size(); i++) counts[train.label(i)]++;
        float[] w = new float[classes];
        for (int c = 0; c < classes; c++) w[c] = counts[c] == 0 ? 0f : (float) ((double) train.size() / (classes * counts[c]));
        return w;
    }

    @Override
    public Evaluation evaluate(TextData data, float[][] outputs, List<String> labels) {
        int n = data.size();
        int[] gold = new int[n], predicted = new int[n];
        double lossSum = 0;
        for (int i : data.byLength()) {   // the order batches ran in: the loss sums as it always has
            predicted[i] = argmax(softmax(outputs[i]));
            gold[i] = data.label(i);
            lossSum += logSumExp(outputs[i]) - outputs[i][gold[i]];
        }
        return new Evaluation(lossSum / n, n, ClassificationMetrics.of(labels, gold, predicted));
    }

    @Override
    public List<Map<String, Object>> errors(List<Example> rows, TextData data, float[][] outputs, List<String> labels) {
        List<Map<String, Object>> errors = new ArrayList<>();
        List<Map<String, Object>> predicted = predictions(data, outputs, labels);
        for (int i = 0; i < rows.size(); i++) {
            String gold = labels.get(data.label(i));
            if (gold.equals(predicted.get(i).get("label"))) continue;
            Map<String, Object> e = TextTask.errorRow(rows.get(i));
            e.put("gold", gold);
            e.put("predicted", predicted.get(i).get("label"));
            e.put("score", predicted.get(i).get("score"));
            errors.add(e);
        }
        return errors;
    }

    @Override
    public List<Map<String, Object>> predictions(TextData data, float[][] outputs, List<String> labels) {
        List<Map<String, Object>> out = new ArrayList<>(outputs.length);
        for (float[] logits : outputs) {
            float[] p = softmax(logits);
            int best = argmax(p);
            Map<String, Double> byLabel = new LinkedHashMap<>();
            for (int k = 0; k < p.length; k++) byLabel.put(labels.get(k), (double) p[k]);
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("label", labels.get(best));
            row.put("score", (double) p[best]);
            row.put("probabilities", byLabel);
            out.add(row);
        }
        return out;
    }

    @Override
    public Stratification stratification(List<Example> rows) {
        List<SortedSet<String>> classes = new ArrayList<>(rows.size());
        for (Example row : rows) classes.add(new TreeSet<>(List.of(row.label())));
        return new Stratification.ByClasses(classes, "class");
    }

    @Override
    public Link link() {
        return Link.SOFTMAX;
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
