/*
 * Regression figures: mean squared and absolute error, Pearson's correlation (as
 * scipy.stats.pearsonr) and Spearman's rank correlation (Pearson's over average ranks, ties
 * sharing their mean rank, as scipy.stats.spearmanr). A correlation with a constant side is NaN.
 */
package dev.kanna.metrics;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

public record RegressionMetrics(int rows, double mse, double mae, double pearson, double spearman) implements Metrics {

    public static final List<String> NAMES = List.of("mse", "mae", "pearson", "spearman");

    public static RegressionMetrics of(double[] gold, double[] predicted) {
        if (gold.length != predicted.length) throw new IllegalArgumentException("gold and predicted differ in length");
        double se = 0, ae = 0;
        for (int i = 0; i < gold.length; i++) {
            double d = predicted[i] - gold[i];
            se += d * d;
            ae += Math.abs(d);
        }
        int n = gold.length;
        return new RegressionMetrics(n, se / n, ae / n, pearson(gold, predicted), pearson(ranks(gold), ranks(predicted)));
    }

    static double pearson(double[] x, double[] y) {
        int n = x.length;
        double mx = 0, my = 0;
        for (int i = 0; i < n; i++) {
            mx += x[i];
            my += y[i];
        }
        mx /= n;
        my /= n;
        double sxy = 0, sxx = 0, syy = 0;
        for (int i = 0; i < n; i++) {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
            syy += (y[i] - my) * (y[i] - my);
        }
        return sxx == 0 || syy == 0 ? Double.NaN : sxy / Math.sqrt(sxx * syy);
    }

    /** 1-based ranks, ties given the mean of the ranks they span. */
    static double[] ranks(double[] x) {
        Integer[] order = new Integer[x.length];
        for (int i = 0; i < order.length; i++) order[i] = i;
        Arrays.sort(order, (a, b) -> Double.compare(x[a], x[b]));
        double[] r = new double[x.length];
        for (int start = 0; start < order.length; ) {
            int end = start;
            while (end + 1 < order.length && x[order[end + 1]] == x[order[start]]) end++;
            double mean = (start + end) / 2.0 + 1;
            for (int k = start; k <= end; k++) r[order[k]] = mean;
            start = end + 1;
        }
        return r;
    }

    @Override
    public double byName(String name) {
        return switch (name) {
            case "mse" -> mse;
            case "mae" -> mae;
            case "pearson" -> pearson;
            case "spearman" -> spearman;
            default -> throw new IllegalArgumentException("unknown metric \"" + name + "\"; expected one of "
                    + String.join(", ", NAMES) + " or loss");
        };
    }

    @Override
    public boolean higherIsBetter(String name) {
        return !name.equals("mse") && !name.equals("mae");
    }

    @Override
    public Map<String, Object> toJson() {
        Map<String, Object> out = new LinkedHashMap<>();
        for (String name : NAMES) out.put(name, byName(name));
        out.put("rows", rows);
        return out;
    }

    @Override
    public String toTable() {
        return String.format(Locale.ROOT, "rows %d%nmse      %.6f%nmae      %.6f%npearson  %.6f%nspearman %.6f%n",
                rows, mse, mae, pearson, spearman);
    }

    @Override
    public String summary() {
        return String.format(Locale.ROOT, "mse %.4f mae %.4f pearson %.4f spearman %.4f", mse, mae, pearson, spearman);
    }
}
