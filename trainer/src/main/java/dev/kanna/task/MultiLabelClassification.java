/*
 * Multi-label text classification (transformers' problem_type multi_label_classification): each
 * row holds any number of labels (a JSON array, or a string split on --label-separator); one
 * sigmoid per label, binary cross-entropy with logits; a label is predicted when its probability
 * reaches its threshold: 0.5, or per label as tuned on validation data (--tune-thresholds: the
 * value of 0.05, 0.10 ... 0.95 that maximises the label's F1 there, ties to the one nearest 0.5),
 * saved beside the model in label_thresholds.json. Metrics: micro and macro precision/recall/F1,
 * subset accuracy, per label.
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

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;

public final class MultiLabelClassification extends TextTask {
    public static final String NAME = "multi-label";
    public static final String THRESHOLDS_FILE = "label_thresholds.json";
    static final double THRESHOLD = 0.5;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, Double> thresholds;   // label → threshold; absent: 0.5

    public MultiLabelClassification() {
        this(Map.of());
    }

    public MultiLabelClassification(Map<String, Double> thresholds) {
        this.thresholds = Map.copyOf(thresholds);
    }

    /** The task as a model directory fixes it: its tuned thresholds when it has label_thresholds.json. */
    public static MultiLabelClassification in(Path modelDir) {
        Path file = modelDir.resolve(THRESHOLDS_FILE);
        if (!Files.isRegularFile(file)) return new MultiLabelClassification();
        try {
            Map<String, Double> t = JSON.readValue(file.toFile(), new TypeReference<Map<String, Double>>() { });
            for (var e : t.entrySet()) {
                if (e.getValue() == null || !(e.getValue() > 0 && e.getValue() < 1)) {
                    throw new DatasetException(file + ": threshold of \"" + e.getKey() + "\" must be in (0, 1)");
                }
            }
            return new MultiLabelClassification(t);
        } catch (IOException e) {
            throw new DatasetException(file + ": not a JSON object of label → threshold (" + e.getMessage() + ")");
        }
    }

    private double threshold(String label) {
        return thresholds.getOrDefault(label, THRESHOLD);
    }

    @Override
    public boolean calibrates() {
        return true;
    }

    @Override
    public Calibration<Example, TextData> calibrate(TextData validation, float[][] outputs, List<String> labels) {
        Map<String, Double> tuned = new LinkedHashMap<>();
        for (int c = 0; c < labels.size(); c++) {
            double best = THRESHOLD, bestF1 = -1;
            for (int step = 1; step <= 19; step++) {
                double t = step * 0.05, f1 = f1(validation, outputs, c, t);
                boolean better = f1 > bestF1 || (f1 == bestF1 && Math.abs(t - THRESHOLD) < Math.abs(best - THRESHOLD));
                if (better) {
                    best = t;
                    bestF1 = f1;
                }
            }
            tuned.put(labels.get(c), Math.round(best * 100) / 100.0);
        }
        return new Calibration<>(THRESHOLDS_FILE, new LinkedHashMap<>(tuned), new MultiLabelClassification(tuned));
    }

    /** Label c's F1 on the data at threshold t. */
    private static double f1(TextData data, float[][] outputs, int c, double t) {
        long tp = 0, fp = 0, fn = 0;
        for (int i = 0; i < data.size(); i++) {
            boolean gold = data.values(i)[c] >= 0.5f, predicted = sigmoid(outputs[i][c]) >= t;
            if (gold && predicted) tp++;
            else if (predicted) fp++;
            else if (gold) fn++;
        }
        return tp == 0 ? 0 : 2.0 * tp / (2.0 * tp + fp + fn);
    }

    /** Folds by each row's set of labels (its label-set, the empty set included). */
    @Override
    public Stratification stratification(List<Example> rows) {
        List<SortedSet<String>> sets = new ArrayList<>(rows.size());
        for (Example row : rows) sets.add(new TreeSet<>(row.labels()));
        return new Stratification.ByClasses(sets, "label");
    }

    @Override
    public Link link() {
        return Link.SIGMOID;
    }

    /** A label is decided at its own threshold. */
    @Override
    public float[] decisions(float[] outputs, List<String> labels) {
        int k = labels.size();
        float[] d = new float[outputs.length];
        for (int e = 0; e < outputs.length; e++) d[e] = sigmoid(outputs[e]) >= threshold(labels.get(e % k)) ? 1 : 0;
        return d;
    }

    /**
     * A mean ensemble decides each label at its members' weighted mean threshold (0.5 when none was
     * tuned); a vote predicts a label when members holding half the weight or more predict it, each
     * at its own threshold (decisions), so the vote's share is compared with 0.5.
     */
    @Override
    public MultiLabelClassification ensembled(List<? extends Task<?, ?>> members, double[] weights, boolean vote) {
        if (vote) return new MultiLabelClassification();
        Map<String, Double> mean = new LinkedHashMap<>();
        for (int m = 0; m < members.size(); m++) {
            MultiLabelClassification member = (MultiLabelClassification) members.get(m);
            for (String label : member.thresholds.keySet()) mean.put(label, 0.0);
        }
        for (String label : mean.keySet()) {
            double t = 0;
            for (int m = 0; m < members.size(); m++) t += weights[m] * ((MultiLabelClassification) members.get(m)).threshold(label);
            mean.put(label, t);
        }
        return new MultiLabelClassification(mean);
    }

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
                predicted[i][c] = sigmoid(x) >= threshold(labels.get(c));
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
                if (p >= threshold(labels.get(c))) chosen.add(labels.get(c));
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
