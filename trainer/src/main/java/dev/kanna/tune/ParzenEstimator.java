/*
 * A Parzen estimator over a search space, as Optuna 5's TPE builds one (samplers/_tpe/
 * parzen_estimator.py, multivariate: its default): a mixture with one kernel per observed trial plus
 * a prior kernel, each kernel a product over the parameters. Kernel weights are 1 (older trials ramp
 * down once there are more than 25), the prior's is 1, all normalised.
 *
 *   numerical parameter (in log space when log; an integer range widened by ½ on each side):
 *     a truncated normal on [low, high] at each observation; its width the larger gap to its sorted
 *     neighbours (low and high as the outer neighbours; the two outermost kernels take their inner
 *     gap: consider_endpoints=False), clipped to [(high − low) / min(100, 1 + kernels), high − low];
 *     the prior: centred, width high − low. Integers are the normal's mass over x ± ½.
 *   categorical parameter: each observation's kernel puts 1 + 1/kernels on its choice and
 *     1/kernels on every choice, normalised; the prior is uniform.
 */
package dev.kanna.tune;

import java.util.List;
import java.util.SplittableRandom;

final class ParzenEstimator {
    /** One parameter's kernels. */
    private sealed interface Kernels {
    }

    /** (kernels, choices) probabilities. */
    private record Categorical(double[][] probabilities) implements Kernels {
    }

    /**
     * Truncated normals at mu with width sigma on [low, high] (adapted: log space, widened by step/2),
     * rawLow/rawHigh the range itself; step 0: continuous, 1: integers.
     */
    private record Numerical(double[] mu, double[] sigma, double low, double high, boolean log, double step,
                             double rawLow, double rawHigh) implements Kernels {
    }

    private final double[] weights;    // (kernels): observations in order, then the prior
    private final Kernels[] kernels;   // per parameter

    /** observations: (trials, parameters) internal values, trials in the order of their numbers. */
    ParzenEstimator(double[][] observations, List<Distribution> space) {
        int n = observations.length;
        weights = new double[n == 0 ? 1 : n + 1];
        double[] w = defaultWeights(n);
        System.arraycopy(w, 0, weights, 0, n);
        weights[weights.length - 1] = 1.0;   // the prior (alone when nothing is observed)
        double sum = 0;
        for (double x : weights) sum += x;
        for (int k = 0; k < weights.length; k++) weights[k] /= sum;
        kernels = new Kernels[space.size()];
        for (int d = 0; d < space.size(); d++) {
            double[] column = new double[n];
            for (int i = 0; i < n; i++) column[i] = observations[i][d];
            kernels[d] = switch (space.get(d)) {
                case Distribution.Choice c -> categorical(column, c.choices().size());
                case Distribution.FloatRange f -> numerical(column, f.low(), f.high(), f.log(), 0);
                case Distribution.IntRange r -> numerical(column, r.low(), r.high(), r.log(), 1);
            };
        }
    }

    /** Optuna's default_weights: all 1 below 25 observations, else a ramp from 1/n up for all but the newest 25. */
    static double[] defaultWeights(int n) {
        double[] w = new double[n];
        java.util.Arrays.fill(w, 1.0);
        if (n >= 25) {
            int ramp = n - 25;   // np.linspace(1/n, 1, ramp)
            for (int i = 0; i < ramp; i++) w[i] = ramp == 1 ? 1.0 / n : 1.0 / n + (1.0 - 1.0 / n) * i / (ramp - 1);
        }
        return w;
    }

    private static Categorical categorical(double[] observed, int choices) {
        if (observed.length == 0) {
            double[][] p = new double[1][choices];
            java.util.Arrays.fill(p[0], 1.0 / choices);
            return new Categorical(p);
        }
        int k = observed.length + 1;
        double[][] p = new double[k][choices];
        for (int i = 0; i < k; i++) {
            java.util.Arrays.fill(p[i], 1.0 / k);
            if (i < observed.length) p[i][(int) observed[i]] += 1;
            double sum = 0;
            for (double x : p[i]) sum += x;
            for (int c = 0; c < choices; c++) p[i][c] /= sum;
        }
        return new Categorical(p);
    }

    private static Numerical numerical(double[] observed, double rawLow, double rawHigh, boolean log, double step) {
        double low = rawLow - step / 2, high = rawHigh + step / 2;
        int n = observed.length;
        double[] mus = new double[n + 1], sigmas = new double[n + 1];
        for (int i = 0; i < n; i++) mus[i] = log ? Math.log(observed[i]) : observed[i];
        if (log) {
            low = Math.log(low);
            high = Math.log(high);
        }
        if (n > 0) {
            Integer[] order = new Integer[n];
            for (int i = 0; i < n; i++) order[i] = i;
            java.util.Arrays.sort(order, (a, b) -> Double.compare(mus[a], mus[b]));   // stable, as np.argsort's ties rarely matter
            double[] withEnds = new double[n + 2];   // low, sorted mus, high
            withEnds[0] = low;
            withEnds[n + 1] = high;
            for (int i = 0; i < n; i++) withEnds[i + 1] = mus[order[i]];
            double[] sorted = new double[n];
            for (int i = 0; i < n; i++) {
                sorted[i] = Math.max(withEnds[i + 1] - withEnds[i], withEnds[i + 2] - withEnds[i + 1]);
            }
            if (n + 2 >= 4) {   // consider_endpoints=False: the outermost kernels take their inner gap
                sorted[0] = withEnds[2] - withEnds[1];
                sorted[n - 1] = withEnds[n] - withEnds[n - 1];
            }
            double max = high - low, min = (high - low) / Math.min(100.0, 1.0 + (n + 1));
            for (int i = 0; i < n; i++) sigmas[order[i]] = Math.min(max, Math.max(min, sorted[i]));
        }
        mus[n] = 0.5 * (low + high);   // the prior
        sigmas[n] = high - low;
        return new Numerical(mus, sigmas, low, high, log, step, rawLow, rawHigh);
    }

    /** size draws from the mixture: (size, parameters) internal values; one kernel per draw across all parameters. */
    double[][] sample(SplittableRandom random, int size) {
        double[] cumulative = cumulative(weights);
        int[] active = new int[size];
        for (int s = 0; s < size; s++) active[s] = pick(cumulative, random.nextDouble());
        double[][] out = new double[size][kernels.length];
        for (int d = 0; d < kernels.length; d++) {
            for (int s = 0; s < size; s++) {
                int k = active[s];
                out[s][d] = switch (kernels[d]) {
                    case Categorical c -> pick(cumulative(c.probabilities()[k]), random.nextDouble());
                    case Numerical m -> {
                        double a = (m.low() - m.mu()[k]) / m.sigma()[k], b = (m.high() - m.mu()[k]) / m.sigma()[k];
                        double x = TruncatedNormal.ppf(random.nextDouble(), a, b) * m.sigma()[k] + m.mu()[k];
                        if (m.log()) x = Math.exp(x);
                        if (m.step() != 0) x = m.rawLow() + Math.rint((x - m.rawLow()) / m.step()) * m.step();
                        yield Math.min(m.rawHigh(), Math.max(m.rawLow(), x));
                    }
                };
            }
        }
        return out;
    }

    /** log of the mixture's density (probability for discrete parameters) at x, internal values. */
    double logPdf(double[] x) {
        int kernelsCount = weights.length;
        double[] terms = new double[kernelsCount];
        for (int k = 0; k < kernelsCount; k++) {
            double t = Math.log(weights[k]);
            for (int d = 0; d < kernels.length; d++) {
                t += switch (kernels[d]) {
                    case Categorical c -> Math.log(c.probabilities()[k][(int) x[d]]);
                    case Numerical m -> numericalLogPdf(m, k, x[d]);
                };
            }
            terms[k] = t;
        }
        double max = Double.NEGATIVE_INFINITY;
        for (double t : terms) max = Math.max(max, t);
        if (max == Double.NEGATIVE_INFINITY) return max;
        double sum = 0;
        for (double t : terms) sum += Math.exp(t - max);
        return Math.log(sum) + max;
    }

    private static double numericalLogPdf(Numerical m, int k, double x) {
        double mu = m.mu()[k], sigma = m.sigma()[k];
        if (m.step() == 0) {
            double v = m.log() ? Math.log(x) : x;
            return TruncatedNormal.logPdf((v - mu) / sigma, (m.low() - mu) / sigma, (m.high() - mu) / sigma) - Math.log(sigma);
        }
        double left = x - m.step() / 2, right = x + m.step() / 2;
        if (m.log()) {
            left = Math.log(left);
            right = Math.log(right);
        }
        return TruncatedNormal.logGaussMass((left - mu) / sigma, (right - mu) / sigma)
                - TruncatedNormal.logGaussMass((m.low() - mu) / sigma, (m.high() - mu) / sigma);
    }

    private static double[] cumulative(double[] p) {
        double[] c = new double[p.length];
        double sum = 0;
        for (int i = 0; i < p.length; i++) c[i] = sum += p[i];
        c[p.length - 1] = 1;   // no rounding gap at the top
        return c;
    }

    /** The index u falls in: the number of cumulative values below it. */
    private static int pick(double[] cumulative, double u) {
        int i = 0;
        while (i < cumulative.length - 1 && cumulative[i] < u) i++;
        return i;
    }
}
