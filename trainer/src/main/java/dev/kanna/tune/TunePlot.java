/*
 * tune.svg, a dependency-free chart of a search in SvgPlot's style: on top the metric of every trial
 * by trial number (complete trials filled, pruned ones hollow at their last epoch's value, failed
 * ones as a cross on the axis) with the best-so-far line; below, one small panel per searched
 * hyperparameter with the metric against its value (a log axis for log ranges, one slot per choice
 * for categorical ones).
 */
package dev.kanna.tune;

import dev.kanna.report.SvgPlot;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

final class TunePlot {
    private static final int W = 760, TOP_H = 240, SMALL_W = 350, SMALL_H = 170, MARGIN_L = 70, GAP = 60, TOP = 30;
    private static final String COMPLETE = "#1f77b4", PRUNED = "#999999", FAILED = "#d62728", BEST = "#2ca02c";

    private TunePlot() {
    }

    /** A trial's point: its metric (the value when complete, else its last epoch's; NaN: none). */
    private record Mark(Trial trial, double metric) {
    }

    static String render(String title, String metric, Direction direction, List<Trial> trials, SearchSpace space) {
        List<Mark> marks = new ArrayList<>();
        for (Trial t : trials) {
            double m = t.state() == Trial.State.COMPLETE ? t.value()
                    : t.epochValues().isEmpty() ? Double.NaN : t.epochValues().getLast();
            marks.add(new Mark(t, m));
        }
        double[] range = range(marks);
        int rows = (space.parameters().size() + 1) / 2;
        int height = TOP + TOP_H + GAP + rows * (SMALL_H + GAP) + 10;
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\""
                + " font-family=\"sans-serif\" font-size=\"12\">%n", W, height));
        svg.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"18\" font-size=\"14\">%s</text>%n", MARGIN_L, escape(title)));

        // The metric by trial, and the best so far.
        Frame top = new Frame(MARGIN_L, TOP, W - MARGIN_L - 20, TOP_H, -0.5, Math.max(0.5, trials.size() - 0.5), false,
                range[0], range[1]);
        top.draw(svg, "validation " + metric + " by trial (filled: complete, hollow: pruned, ×: failed; line: best so far)");
        top.xTicks(svg, trials.size());
        StringBuilder line = new StringBuilder();
        Double best = null;
        for (Mark m : marks) {
            Trial t = m.trial();
            if (t.state() == Trial.State.COMPLETE && (best == null || direction.better(t.value(), best))) best = t.value();
            if (best != null) line.append(line.isEmpty() ? "M" : " L").append(top.point(t.number(), best));
            dot(svg, top, t.number(), m);
        }
        if (!line.isEmpty()) {
            svg.append(String.format(Locale.ROOT, "<path d=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\"/>%n", line, BEST));
        }

        // The metric against each hyperparameter.
        for (int i = 0; i < space.parameters().size(); i++) {
            SearchSpace.Parameter p = space.parameters().get(i);
            int left = MARGIN_L + (i % 2) * (SMALL_W + 40), y = TOP + TOP_H + GAP + (i / 2) * (SMALL_H + GAP);
            Frame f = switch (p.distribution()) {
                case Distribution.FloatRange r -> new Frame(left, y, SMALL_W - 40, SMALL_H, r.low(), r.high(), r.log(), range[0], range[1]);
                case Distribution.IntRange r -> new Frame(left, y, SMALL_W - 40, SMALL_H, r.low() - 0.5, r.high() + 0.5, r.log(), range[0], range[1]);
                case Distribution.Choice c -> new Frame(left, y, SMALL_W - 40, SMALL_H, -0.5, c.choices().size() - 0.5, false, range[0], range[1]);
            };
            f.draw(svg, p.name());
            if (p.distribution() instanceof Distribution.Choice c) f.labels(svg, c.choices());
            else f.xTicks(svg, -1);
            for (Mark m : marks) {
                Object v = m.trial().settings().get(p.name());
                if (v != null) dot(svg, f, p.distribution().internal(v), m);
            }
        }
        svg.append("</svg>\n");
        return svg.toString();
    }

    private static void dot(StringBuilder svg, Frame f, double x, Mark m) {
        switch (m.trial().state()) {
            case COMPLETE -> svg.append(String.format(Locale.ROOT, "<circle cx=\"%s\" cy=\"%s\" r=\"3.5\" fill=\"%s\"/>%n",
                    f.x(x), f.y(m.metric()), COMPLETE));
            case PRUNED -> {
                if (!Double.isNaN(m.metric())) {
                    svg.append(String.format(Locale.ROOT, "<circle cx=\"%s\" cy=\"%s\" r=\"3.5\" fill=\"none\" stroke=\"%s\"/>%n",
                            f.x(x), f.y(m.metric()), PRUNED));
                }
            }
            case FAILED -> svg.append(String.format(Locale.ROOT, "<text x=\"%s\" y=\"%.1f\" text-anchor=\"middle\" fill=\"%s\">×</text>%n",
                    f.x(x), f.top + f.height - 4.0, FAILED));
        }
    }

    /** The metric's range over the trials with one, padded by 5%. */
    private static double[] range(List<Mark> marks) {
        return SvgPlot.paddedRange(marks.stream().mapToDouble(Mark::metric).toArray());
    }

    /** A panel: its box on the page and the data ranges it maps (x on a log scale when log). */
    private record Frame(int left, int top, int width, int height, double xLow, double xHigh, boolean log, double yLow,
                         double yHigh) {
        String x(double v) {
            double a = log ? Math.log(v) : v, lo = log ? Math.log(xLow) : xLow, hi = log ? Math.log(xHigh) : xHigh;
            double t = hi > lo ? (a - lo) / (hi - lo) : 0.5;
            return String.format(Locale.ROOT, "%.1f", left + width * t);
        }

        String y(double v) {
            return String.format(Locale.ROOT, "%.1f", top + height - height * (v - yLow) / (yHigh - yLow));
        }

        String point(double x, double y) {
            return x(x) + " " + y(y);
        }

        void draw(StringBuilder svg, String name) {
            svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#999\"/>%n",
                    left, top, width, height));
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">%s</text>%n", left, top - 6, escape(name)));
            for (int i = 0; i <= 4; i++) {
                double v = yLow + (yHigh - yLow) * i / 4;
                double y = top + height - (double) height * i / 4;
                svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n", left - 6, y + 4, tick(v)));
                svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#eee\"/>%n",
                        left, y, left + width, y));
            }
        }

        /** Five ticks along x, or each trial number when count ≥ 0 and small. */
        void xTicks(StringBuilder svg, int count) {
            List<Double> at = new ArrayList<>();
            if (count >= 0 && count <= 20) for (int i = 0; i < count; i++) at.add((double) i);
            else for (int i = 0; i <= 4; i++) {
                at.add(log ? Math.exp(Math.log(xLow) + (Math.log(xHigh) - Math.log(xLow)) * i / 4) : xLow + (xHigh - xLow) * i / 4);
            }
            for (double v : at) {
                svg.append(String.format(Locale.ROOT, "<text x=\"%s\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
                        x(v), top + height + 16, count >= 0 ? String.valueOf((int) Math.round(v)) : tick(v)));
            }
        }

        void labels(StringBuilder svg, List<Object> choices) {
            for (int i = 0; i < choices.size(); i++) {
                svg.append(String.format(Locale.ROOT, "<text x=\"%s\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
                        x(i), top + height + 16, escape(String.valueOf(choices.get(i)))));
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
