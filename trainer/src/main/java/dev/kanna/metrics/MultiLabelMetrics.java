/*
 * Multi-label figures as scikit-learn computes them on binary indicator matrices (zero_division=0):
 * per label precision/recall/F1/support, micro averages (counts pooled over every label), macro
 * averages (the mean over labels), and subset accuracy (rows whose whole label set is right).
 */
package dev.kanna.metrics;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

public record MultiLabelMetrics(List<String> labels, double[] precision, double[] recall, double[] f1, long[] support,
                                double microPrecision, double microRecall, double microF1, double macroPrecision,
                                double macroRecall, double macroF1, double subsetAccuracy) implements Metrics {

    public static final List<String> NAMES = List.of("micro_f1", "macro_f1", "subset_accuracy", "micro_precision",
            "micro_recall", "macro_precision", "macro_recall");

    /** gold[i][k], predicted[i][k]: whether row i has label k. */
    public static MultiLabelMetrics of(List<String> labels, boolean[][] gold, boolean[][] predicted) {
        int k = labels.size();
        long[] tp = new long[k], fp = new long[k], fn = new long[k];
        long exact = 0;
        for (int i = 0; i < gold.length; i++) {
            boolean same = true;
            for (int c = 0; c < k; c++) {
                boolean g = gold[i][c], p = predicted[i][c];
                if (g && p) tp[c]++;
                else if (p) fp[c]++;
                else if (g) fn[c]++;
                same &= g == p;
            }
            if (same) exact++;
        }
        double[] precision = new double[k], recall = new double[k], f1 = new double[k];
        long[] support = new long[k];
        long tpAll = 0, fpAll = 0, fnAll = 0;
        double macroP = 0, macroR = 0, macroF = 0;
        for (int c = 0; c < k; c++) {
            precision[c] = ratio(tp[c], tp[c] + fp[c]);
            recall[c] = ratio(tp[c], tp[c] + fn[c]);
            f1[c] = f1(precision[c], recall[c]);
            support[c] = tp[c] + fn[c];
            tpAll += tp[c];
            fpAll += fp[c];
            fnAll += fn[c];
            macroP += precision[c];
            macroR += recall[c];
            macroF += f1[c];
        }
        double microP = ratio(tpAll, tpAll + fpAll), microR = ratio(tpAll, tpAll + fnAll);
        return new MultiLabelMetrics(List.copyOf(labels), precision, recall, f1, support, microP, microR,
                f1(microP, microR), macroP / k, macroR / k, macroF / k, ratio(exact, gold.length));
    }

    private static double ratio(long a, long b) {
        return b == 0 ? 0 : (double) a / b;
    }

    private static double f1(double p, double r) {
        return p + r == 0 ? 0 : 2 * p * r / (p + r);
    }

    @Override
    public double byName(String name) {
        return switch (name) {
            case "micro_f1" -> microF1;
            case "macro_f1" -> macroF1;
            case "subset_accuracy" -> subsetAccuracy;
            case "micro_precision" -> microPrecision;
            case "micro_recall" -> microRecall;
            case "macro_precision" -> macroPrecision;
            case "macro_recall" -> macroRecall;
            default -> throw new IllegalArgumentException("unknown metric \"" + name + "\"; expected one of "
                    + String.join(", ", NAMES) + " or loss");
        };
    }

    @Override
    public Map<String, Object> toJson() {
        Map<String, Object> out = new LinkedHashMap<>();
        for (String name : NAMES) out.put(name, byName(name));
        Map<String, Object> perLabel = new LinkedHashMap<>();
        for (int c = 0; c < labels.size(); c++) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("precision", precision[c]);
            m.put("recall", recall[c]);
            m.put("f1", f1[c]);
            m.put("support", support[c]);
            perLabel.put(labels.get(c), m);
        }
        out.put("per_label", perLabel);
        return out;
    }

    @Override
    public String toTable() {
        int width = Math.max(12, labels.stream().mapToInt(String::length).max().orElse(0));
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-" + width + "s %9s %9s %9s %9s%n",
                "label", "precision", "recall", "f1", "support"));
        for (int c = 0; c < labels.size(); c++) {
            sb.append(String.format(Locale.ROOT, "%-" + width + "s %9.4f %9.4f %9.4f %9d%n", labels.get(c),
                    precision[c], recall[c], f1[c], support[c]));
        }
        sb.append(String.format(Locale.ROOT, "%-" + width + "s %9.4f %9.4f %9.4f%n", "micro avg", microPrecision,
                microRecall, microF1));
        sb.append(String.format(Locale.ROOT, "%-" + width + "s %9.4f %9.4f %9.4f%n", "macro avg", macroPrecision,
                macroRecall, macroF1));
        sb.append(String.format(Locale.ROOT, "subset accuracy %.4f%n", subsetAccuracy));
        return sb.toString();
    }

    @Override
    public String summary() {
        return String.format(Locale.ROOT, "micro_f1 %.4f macro_f1 %.4f subset_accuracy %.4f", microF1, macroF1,
                subsetAccuracy);
    }
}
