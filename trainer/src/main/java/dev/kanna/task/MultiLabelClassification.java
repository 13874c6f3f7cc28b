/*
 * Multi-label text classification (transformers' problem_type multi_label_classification): each
 * row holds any number of labels (a JSON array, or a string split on --label-separator); one
 * sigmoid per label, binary cross-entropy with logits; a label is predicted when its probability
 * reaches 0.5. Metrics: micro and macro precision/recall/F1, subset accuracy, per label.
 */
package dev.kanna.task;

import dev.kanna.bert.BertConfig;
import dev.kanna.data.DatasetException;
import dev.kanna.data.DatasetReader;
import dev.kanna.data.LabelShape;
import dev.kanna.data.Example;
import dev.kanna.data.LabelMap;
import dev.kanna.metrics.MultiLabelMetrics;
import dev.kanna.train.Loss;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

public final class MultiLabelClassification extends TextTask {
    public static final String NAME = "multi-label";
    static final double THRESHOLD = 0.5;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<String> metricNames() {
        return MultiLabelMetrics.NAMES;
    }

    @Override
    LabelShape labelShape() {
        return LabelShape.LIST;
    }

    @Override
    public List<String> labels(List<Example> training, Path file) {
        List<String> labels = LabelMap.fromTraining(training).labels();
        if (labels.isEmpty()) throw new DatasetException(file + ": no row has a label; multi-label needs at least one");
        return labels;
    }

    @Override
    TextData withTargets(TextData tokens, List<Example> rows, List<String> labels, Path file) {
        LabelMap map = new LabelMap(labels);
        float[][] multiHot = new float[rows.size()][];
        for (int i = 0; i < multiHot.length; i++) multiHot[i] = map.multiHot(rows.get(i), file);
        return tokens.withValues(multiHot);
    }

    @Override
    public BertConfig configure(BertConfig base, List<String> labels) {
        return base.withLabels(labels).withProblemType("multi_label_classification");
    }

    @Override
    public Loss loss(TextData train, LossOptions options) {
        if (options.labelSmoothing() != 0 || options.classWeightsAuto()) {
            throw new IllegalArgumentException("--label-smoothing and --class-weights apply to single-label and token"
                    + " classification, not to " + NAME);
        }
        return new Loss.BinaryCrossEntropy();
    }

    @Override
    public Evaluation evaluate(TextData data, float[][] outputs, List<String> labels) {
        int n = data.size(), k = labels.size();
        boolean[][] gold = new boolean[n][k], predicted = new boolean[n][k];
        double lossSum = 0;
        for (int i = 0; i < n; i++) {
            float[] y = data.values(i);
            for (int c = 0; c < k; c++) {
                double x = outputs[i][c];
                lossSum += Math.max(x, 0) - x * y[c] + Math.log1p(Math.exp(-Math.abs(x)));   // as the training loss
                gold[i][c] = y[c] >= 0.5f;
                predicted[i][c] = sigmoid(x) >= THRESHOLD;
            }
        }
        return new Evaluation(lossSum / ((double) n * k), n, MultiLabelMetrics.of(labels, gold, predicted));
    }

    @Override
    public List<Map<String, Object>> errors(List<Example> rows, TextData data, float[][] outputs, List<String> labels) {
        List<Map<String, Object>> errors = new ArrayList<>();
        List<Map<String, Object>> predicted = predictions(data, outputs, labels);
        for (int i = 0; i < rows.size(); i++) {
            List<String> gold = new ArrayList<>();
            for (int c = 0; c < labels.size(); c++) if (data.values(i)[c] >= 0.5f) gold.add(labels.get(c));
            if (gold.equals(predicted.get(i).get("labels"))) continue;
            Map<String, Object> e = TextTask.errorRow(rows.get(i));
            e.put("gold", gold);
            e.put("predicted", predicted.get(i).get("labels"));
            e.put("probabilities", predicted.get(i).get("probabilities"));
            errors.add(e);
        }
        return errors;
    }

    @Override
    public List<Map<String, Object>> predictions(TextData data, float[][] outputs, List<String> labels) {
        List<Map<String, Object>> out = new ArrayList<>(outputs.length);
        for (float[] logits : outputs) {
            List<String> chosen = new ArrayList<>();
            Map<String, Double> byLabel = new LinkedHashMap<>();
            for (int c = 0; c < logits.length; c++) {
                double p = sigmoid(logits[c]);
                byLabel.put(labels.get(c), p);
                if (p >= THRESHOLD) chosen.add(labels.get(c));
            }
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("labels", chosen);
            row.put("probabilities", byLabel);
            out.add(row);
        }
        return out;
    }

    static double sigmoid(double x) {
        return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
    }
}
