/*
 * Accuracy, per-class and macro precision/recall/F1, and the confusion matrix of a classifier's
 * predictions, as scikit-learn defines them (a 0/0 ratio counts as 0, like zero_division=0).
 */
package dev.kanna.metrics;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

public record ClassificationMetrics(List<String> labels, long[][] confusion, double accuracy,
                                    double[] precision, double[] recall, double[] f1, long[] support,
                                    double macroPrecision, double macroRecall, double macroF1, double weightedF1)
        implements Metrics {

    /** The names byName knows, --metric-for-best's choices (besides loss). */
    public static final java.util.List<String> NAMES = java.util.List.of("macro_f1", "accuracy", "macro_precision",
            "macro_recall", "weighted_f1");

    /** confusion[gold][predicted]. */
    public static ClassificationMetrics of(List<String> labels, int[] gold, int[] predicted) {
        if (gold.length != predicted.length) throw new IllegalArgumentException("gold and predicted differ in length");
        int k = labels.size();
        long[][] confusion = new long[k][k];
        long correct = 0;
        for (int i = 0; i < gold.length; i++) {
            confusion[gold[i]][predicted[i]]++;
            if (gold[i] == predicted[i]) correct++;
        }
        double[] precision = new double[k], recall = new double[k], f1 = new double[k];
        long[] support = new long[k];
        double macroP = 0, macroR = 0, macroF = 0, weighted = 0;
        for (int c = 0; c < k; c++) {
            long tp = confusion[c][c], predictedC = 0, goldC = 0;
            for (int o = 0; o < k; o++) {
                predictedC += confusion[o][c];
                goldC += confusion[c][o];
            }
            precision[c] = ratio(tp, predictedC);
            recall[c] = ratio(tp, goldC);
            f1[c] = precision[c] + recall[c] == 0 ? 0 : 2 * precision[c] * recall[c] / (precision[c] + recall[c]);
            support[c] = goldC;
            macroP += precision[c];
            macroR += recall[c];
            macroF += f1[c];
            weighted += f1[c] * goldC;
        }
        return new ClassificationMetrics(List.copyOf(labels), confusion, ratio(correct, gold.length),
                precision, recall, f1, support, macroP / k, macroR / k, macroF / k,
                gold.length == 0 ? 0 : weighted / gold.length);
    }

    private static double ratio(long a, long b) {
        return b == 0 ? 0 : (double) a / b;
    }

    @Override
    public String summary() {
        return String.format(Locale.ROOT, "accuracy %.4f macro_f1 %.4f", accuracy, macroF1);
    }

    /** A metric by the name --metric-for-best uses: accuracy, macro_f1, macro_precision, macro_recall, weighted_f1. */
    @Override
    public double byName(String name) {
        return switch (name) {
            case "accuracy" -> accuracy;
            case "macro_f1" -> macroF1;
            case "macro_precision" -> macroPrecision;
            case "macro_recall" -> macroRecall;
            case "weighted_f1" -> weightedF1;
            default -> throw new IllegalArgumentException("unknown metric \"" + name
                    + "\"; expected accuracy, macro_f1, macro_precision, macro_recall, weighted_f1 or loss");
        };
    }

    /** JSON-ready form: accuracy, macro figures, per_class {label: {precision, recall, f1, support}}, confusion_matrix. */
    @Override
    public Map<String, Object> toJson() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("accuracy", accuracy);
        out.put("macro_precision", macroPrecision);
        out.put("macro_recall", macroRecall);
        out.put("macro_f1", macroF1);
        out.put("weighted_f1", weightedF1);
        Map<String, Object> perClass = new LinkedHashMap<>();
        for (int c = 0; c < labels.size(); c++) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("precision", precision[c]);
            m.put("recall", recall[c]);
            m.put("f1", f1[c]);
            m.put("support", support[c]);
            perClass.put(labels.get(c), m);
        }
        out.put("per_class", perClass);
        out.put("labels", labels);
        out.put("confusion_matrix", confusion);
        return out;
    }

    /** A readable table: per-class figures, macro averages, accuracy, then the confusion matrix. */
    @Override
    public String toTable() {
        int width = Math.max(12, labels.stream().mapToInt(String::length).max().orElse(0) + 2);
        StringBuilder sb = new StringBuilder();
        String row = "%-" + width + "s %9s %9s %9s %9s%n";
        sb.append(String.format(Locale.ROOT, row, "", "precision", "recall", "f1", "support"));
        for (int c = 0; c < labels.size(); c++) {
            sb.append(String.format(Locale.ROOT, "%-" + width + "s %9.4f %9.4f %9.4f %9d%n", labels.get(c),
                    precision[c], recall[c], f1[c], support[c]));
        }
        long total = 0;
        for (long s : support) total += s;
        sb.append(String.format(Locale.ROOT, "%-" + width + "s %9.4f %9.4f %9.4f %9d%n", "macro avg",
                macroPrecision, macroRecall, macroF1, total));
        sb.append(String.format(Locale.ROOT, "%-" + width + "s %29.4f %9d%n", "accuracy", accuracy, total));
        sb.append(System.lineSeparator()).append("confusion matrix (rows: true label, columns: predicted)")
                .append(System.lineSeparator());
        sb.append(String.format(Locale.ROOT, "%-" + width + "s", ""));
        for (String l : labels) sb.append(String.format(Locale.ROOT, " %" + Math.max(8, l.length()) + "s", l));
        sb.append(System.lineSeparator());
        for (int g = 0; g < labels.size(); g++) {
            sb.append(String.format(Locale.ROOT, "%-" + width + "s", labels.get(g)));
            for (int p = 0; p < labels.size(); p++) {
                sb.append(String.format(Locale.ROOT, " %" + Math.max(8, labels.get(p).length()) + "d", confusion[g][p]));
            }
            sb.append(System.lineSeparator());
        }
        return sb.toString();
    }
}
