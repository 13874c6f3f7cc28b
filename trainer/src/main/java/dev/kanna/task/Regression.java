/*
 * Text regression (transformers' problem_type regression): a numeric label per row, one output,
 * mean squared error. Metrics: MSE, MAE, Pearson and Spearman correlation. The config carries
 * transformers' single default label (LABEL_0), as its regression models do.
 */
package dev.kanna.task;

import dev.kanna.bert.BertConfig;
import dev.kanna.data.DatasetReader;
import dev.kanna.data.LabelShape;
import dev.kanna.data.Example;
import dev.kanna.metrics.RegressionMetrics;
import dev.kanna.train.Loss;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

public final class Regression extends TextTask {
    public static final String NAME = "regression";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<String> metricNames() {
        return RegressionMetrics.NAMES;
    }

    @Override
    public boolean lowerIsBetter(String metric) {
        return List.of("loss", "mse", "mae").contains(metric);
    }

    @Override
    LabelShape labelShape() {
        return LabelShape.NUMBER;
    }

    @Override
    public List<String> labels(List<Example> training, Path file) {
        return List.of("LABEL_0");
    }

    @Override
    TextData withTargets(TextData tokens, List<Example> rows, List<String> labels, Path file) {
        float[][] values = new float[rows.size()][];
        for (int i = 0; i < values.length; i++) values[i] = new float[]{Float.parseFloat(rows.get(i).label())};
        return tokens.withValues(values);
    }

    @Override
    public BertConfig configure(BertConfig base, List<String> labels) {
        return base.withLabels(labels).withProblemType("regression");
    }

    @Override
    public Loss loss(TextData train, LossOptions options) {
        if (options.labelSmoothing() != 0 || options.classWeightsAuto()) {
            throw new IllegalArgumentException("--label-smoothing and --class-weights apply to single-label and token"
                    + " classification, not to " + NAME);
        }
        return new Loss.MeanSquaredError();
    }

    @Override
    public Evaluation evaluate(TextData data, float[][] outputs, List<String> labels) {
        int n = data.size();
        double[] gold = new double[n], predicted = new double[n];
        for (int i = 0; i < n; i++) {
            gold[i] = data.values(i)[0];
            predicted[i] = outputs[i][0];
        }
        RegressionMetrics metrics = RegressionMetrics.of(gold, predicted);
        return new Evaluation(metrics.mse(), n, metrics);
    }

    /** Folds by value: rows sorted by their target and dealt out in turn (binned K-fold, bins of K rows). */
    @Override
    public Stratification stratification(List<Example> rows) {
        double[] values = new double[rows.size()];
        for (int i = 0; i < values.length; i++) values[i] = Double.parseDouble(rows.get(i).label());
        return new Stratification.ByValue(values);
    }

    @Override
    public Link link() {
        return Link.IDENTITY;
    }

    /** Every row with its error, the largest absolute errors first (a regression is never exactly right). */
    @Override
    public List<Map<String, Object>> errors(List<Example> rows, TextData data, float[][] outputs, List<String> labels) {
        List<Map<String, Object>> errors = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            Map<String, Object> e = TextTask.errorRow(rows.get(i));
            e.put("gold", (double) data.values(i)[0]);
            e.put("predicted", (double) outputs[i][0]);
            e.put("error", (double) outputs[i][0] - data.values(i)[0]);
            errors.add(e);
        }
        errors.sort(java.util.Comparator.comparingDouble(e -> -Math.abs((Double) e.get("error"))));
        return errors;
    }

    @Override
    public List<Map<String, Object>> predictions(TextData data, float[][] outputs, List<String> labels) {
        List<Map<String, Object>> out = new ArrayList<>(outputs.length);
        for (float[] value : outputs) out.add(Map.of("value", (double) value[0]));
        return out;
    }
}
