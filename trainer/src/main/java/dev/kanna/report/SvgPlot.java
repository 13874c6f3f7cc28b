/*
 * A dependency-free SVG chart of a training run: the training loss per logged step in the top
 * panel, the validation metric per evaluation in the bottom one, on a shared step axis.
 */
package dev.kanna.report;

import java.util.List;
import java.util.Locale;

public final class SvgPlot {
    /** One point of a series. */
    public record Point(double step, double value) {
    }

    private static final int W = 720, PANEL_H = 220, MARGIN_L = 70, MARGIN_R = 20, TOP = 30, GAP = 60;

    private SvgPlot() {
    }

    public static String render(String title, List<Point> trainLoss, String metricName, List<Point> metric) {
        double maxStep = 1;
        for (Point p : trainLoss) maxStep = Math.max(maxStep, p.step());
        for (Point p : metric) maxStep = Math.max(maxStep, p.step());
        int height = TOP + 2 * PANEL_H + GAP + 40;
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"12\">%n",
                W, height));
        svg.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"18\" font-size=\"14\">%s</text>%n",
                MARGIN_L, escape(title)));
        panel(svg, TOP, "training loss", trainLoss, maxStep, "#1f77b4");
        panel(svg, TOP + PANEL_H + GAP, "validation " + metricName, metric, maxStep, "#d62728");
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">step</text>%n",
                (MARGIN_L + W - MARGIN_R) / 2, height - 8));
        svg.append("</svg>\n");
        return svg.toString();
    }

    /**
     * The range of the finite values, padded by 5% each side: {lo, hi}. No finite value: 0..1; all
     * equal: that value ± 0.5 (before the padding).
     */
    public static double[] paddedRange(double[] values) {
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        for (double v : values) {
            if (Double.isFinite(v)) {
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
        }
        if (!(lo <= hi)) {
            lo = 0;
            hi = 1;
        }
        if (hi - lo < 1e-9) {
            lo -= 0.5;
            hi += 0.5;
        }
        double pad = (hi - lo) * 0.05;
        return new double[]{lo - pad, hi + pad};
    }

    private static void panel(StringBuilder svg, int top, String name, List<Point> points, double maxStep, String color) {
        int left = MARGIN_L, right = W - MARGIN_R, bottom = top + PANEL_H;
        double[] range = paddedRange(points.stream().mapToDouble(Point::value).toArray());
        double lo = range[0], hi = range[1];
        svg.append(String.format(Locale.ROOT,
                "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#999\"/>%n",
                left, top, right - left, PANEL_H));
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">%s</text>%n", left + 6, top + 16, escape(name)));
        for (int i = 0; i <= 4; i++) {
            double v = lo + (hi - lo) * i / 4;
            double y = bottom - (double) PANEL_H * i / 4;
            svg.append(String.format(Locale.ROOT,
                    "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n", left - 6, y + 4, tick(v)));
            svg.append(String.format(Locale.ROOT,
                    "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#eee\"/>%n", left, y, right, y));
        }
        for (int i = 0; i <= 4; i++) {
            double s = maxStep * i / 4;
            double x = left + (right - left) * i / 4.0;
            svg.append(String.format(Locale.ROOT,
                    "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n", x, bottom + 16, tick(s)));
        }
        if (points.isEmpty()) return;
        StringBuilder path = new StringBuilder();
        for (Point p : points) {
            if (!Double.isFinite(p.value())) continue;
            double x = left + (right - left) * p.step() / maxStep;
            double y = bottom - PANEL_H * (p.value() - lo) / (hi - lo);
            path.append(path.isEmpty() ? "M" : " L").append(String.format(Locale.ROOT, "%.1f %.1f", x, y));
        }
        svg.append(String.format(Locale.ROOT,
                "<path d=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\"/>%n", path, color));
        if (points.size() <= 50) {
            for (Point p : points) {
                if (!Double.isFinite(p.value())) continue;
                double x = left + (right - left) * p.step() / maxStep;
                double y = bottom - PANEL_H * (p.value() - lo) / (hi - lo);
                svg.append(String.format(Locale.ROOT,
                        "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>%n", x, y, color));
            }
        }
    }

    private static String tick(double v) {
        return Math.abs(v) >= 1000 || v == Math.rint(v) ? String.format(Locale.ROOT, "%.0f", v)
                : String.format(Locale.ROOT, "%.3g", v);
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
